import { completable, type GetPromptResult, type McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Completions } from "./completions.js";

const ask = (description: string, body: string): GetPromptResult => ({ description, messages: [{ role: "user", content: { type: "text", text: body } }] });

/**
 * Prompts that start an assistant on the everyday jobs, each argument completing from the
 * fleet or the device as it is typed (devices, selectors, actions, runs, power modes, units,
 * containers, models).
 */
export function registerTaskPrompts(server: McpServer, complete: Completions): void {
  const device = completable(z.string().describe("Device id, as list_devices shows it"), complete.devices);

  server.registerPrompt(
    "change_power_mode",
    {
      title: "Change a device's power mode",
      description: "Switch a Jetson to another nvpmodel mode safely: what changes, whether it reboots, and the switch.",
      argsSchema: z.object({ device, mode: completable(z.string().describe("Power mode id or name, as power_modes lists them"), complete.powerModes) }),
    },
    ({ device, mode }) =>
      ask(
        `Power mode ${mode} on ${device}`,
        `Switch the Jetson "${device}" to power mode "${mode}".\n1. Call power_modes: find the mode by id or name, compare its CPU cores, clocks and power budget with the current mode, and say whether it needs a reboot (rebootRequired).\n2. Tell the user what will change and ask before going on; a reboot interrupts whatever runs on the device.\n3. Call power_set with the mode's id or name; a mode that needs a reboot is refused there: then call power_reboot with powerModeId or powerModeName, only if the user agreed to the reboot. Then power_get to confirm.`,
      ),
  );

  server.registerPrompt(
    "troubleshoot_service",
    {
      title: "Troubleshoot a service",
      description: "Why a systemd unit on a Jetson is failing or restarting, from its status and journal.",
      argsSchema: z.object({ device, unit: completable(z.string().describe("systemd unit, e.g. nginx.service"), complete.units) }),
    },
    ({ device, unit }) =>
      ask(
        `Troubleshooting ${unit} on ${device}`,
        `Find out why the unit "${unit}" on the Jetson "${device}" misbehaves.\n1. services_status for its state, restarts and how it last ended; logs_journal with unit "${unit}" for its recent log.\n2. Check the device's memory, disk and temperature (get_device, device_alerts) when the log points there.\n3. Answer with the cause and a fix; restart or change nothing unless the user asks.`,
      ),
  );

  server.registerPrompt(
    "troubleshoot_container",
    {
      title: "Troubleshoot a container",
      description: "Why a container on a Jetson exits, restarts or runs slowly, from its state, logs and the device's load.",
      argsSchema: z.object({ device, container: completable(z.string().describe("Container name"), complete.containers) }),
    },
    ({ device, container }) =>
      ask(
        `Troubleshooting container ${container} on ${device}`,
        `Find out what is wrong with the container "${container}" on the Jetson "${device}".\n1. containers_list for its state and status, containers_logs for its recent output.\n2. telemetry_now for GPU and memory pressure; device_alerts for throttling or a full disk.\n3. Answer with the cause and a fix; restart, stop or remove nothing unless the user asks.`,
      ),
  );

  server.registerPrompt(
    "check_model",
    {
      title: "Check a model on a device",
      description: "Whether a model stored on a Jetson is complete, served, and how fast it runs there.",
      argsSchema: z.object({ device, model: completable(z.string().describe("Model file name, as ai_model_list shows it"), complete.models) }),
    },
    ({ device, model }) =>
      ask(
        `Model ${model} on ${device}`,
        `Check the model "${model}" on the Jetson "${device}": ai_model_list for its size and checksum (and partial downloads), ai_serve_status for whether it is served, and, if the user wants figures, ai_benchmark on it. Report what you found; deploy or remove nothing unless asked.`,
      ),
  );

  server.registerPrompt(
    "plan_fleet_change",
    {
      title: "Plan a change across the fleet",
      description: "Dry-run one action on the devices a selector chooses, and present the plan before anything runs.",
      argsSchema: z.object({
        selector: completable(z.string().describe("Selector, e.g. tag:warehouse board:orin-nano"), complete.selectors),
        action: completable(z.string().describe("Catalogued action, e.g. power.set"), complete.actions),
      }),
    },
    ({ selector, action }) =>
      ask(
        `Plan ${action} on ${selector}`,
        `Plan running "${action}" on the devices the selector "${selector}" chooses.\n1. select_devices to show which devices, then plan_fleet_run with canaries (e.g. canary.count 1) and a sensible concurrency and abort threshold.\n2. Present the devices, offline ones, canaries and any refusal, and the arguments you would use.\n3. Only after the user agrees, start_fleet_run and follow it with get_fleet_run.`,
      ),
  );

  server.registerPrompt(
    "review_fleet_run",
    {
      title: "Review a fleet run",
      description: "What a fleet run did: which devices succeeded or failed, why, and what to do next.",
      argsSchema: z.object({ run: completable(z.string().describe("Run id, as start_fleet_run answered"), complete.runs) }),
    },
    ({ run }) =>
      ask(
        `Review of ${run}`,
        `Review the fleet run "${run}": read jetson://runs/${run} (or get_fleet_run) and summarise its state, the devices that failed with their errors grouped by cause, canary results, and what to do about the failures. Retry nothing unless the user asks.`,
      ),
  );
}
