// First: zod must be jitless before the schemas below are built.
import "./zod-jitless.js";
import "../styles.css";
import "./panel.css";
import { DevicePageSchema, DeviceSummarySchema, TimedSampleSchema } from "@jetson/protocol";
import { z } from "zod";
import { byId, h } from "../dom.js";
import { AppsBridge, type CallToolResult, CallToolResultSchema, METHODS, ToolInputSchema } from "./apps-bridge.js";
import { startDevicePanel } from "./device-panel.js";
import { startFleetPanel } from "./fleet-panel.js";
import { callTool, textOf, ToolFailed } from "./tool-calls.js";

const main = byId("main");
const bridge = new AppsBridge(window.parent);
let toolArguments: Record<string, unknown> = {};
let stop: (() => void) | undefined;

const DeviceArgumentSchema = z.object({ device: z.string() });

/**
 * Which view a tool's result opens, told by its shape (the host need not say which tool ran):
 * list_devices' list, get_device's summary, or telemetry_now's sample of the device the input named.
 */
const VIEWS: Array<(data: unknown) => (() => () => void) | undefined> = [
  (data) => {
    const list = DevicePageSchema.safeParse(data);
    return list.success ? () => startFleetPanel(main, bridge, list.data, openDevice) : undefined;
  },
  (data) => {
    const summary = DeviceSummarySchema.safeParse(data);
    return summary.success ? () => startDevicePanel(main, bridge, summary.data.id, { summary: summary.data }) : undefined;
  },
  (data) => {
    const sample = TimedSampleSchema.safeParse(data);
    const input = DeviceArgumentSchema.safeParse(toolArguments);
    return sample.success && input.success ? () => startDevicePanel(main, bridge, input.data.device, { sample: sample.data }) : undefined;
  },
];

function showMessage(text: string, kind: "error" | "muted"): void {
  main.replaceChildren(h("p", { class: kind, role: kind === "error" ? "alert" : "status" }, text));
}

function showResult(result: CallToolResult): void {
  stop?.();
  stop = undefined;
  if (result.isError) return showMessage(textOf(result) || "The tool failed.", "error");
  const start = VIEWS.map((view) => view(result.structuredContent)).find((found) => found !== undefined);
  if (!start) return showMessage("This panel shows list_devices, get_device and telemetry_now; this result is none of them.", "error");
  stop = start();
}

/** From the fleet table: the device's figures and charts, with a way back to the table. */
async function openDevice(id: string): Promise<void> {
  try {
    const summary = await callTool(bridge, "get_device", { device: id }, DeviceSummarySchema);
    stop?.();
    stop = startDevicePanel(main, bridge, id, { summary }, () => void backToFleet());
  } catch (error) {
    showMessage(error instanceof ToolFailed ? error.message : String(error), "error");
  }
}

async function backToFleet(): Promise<void> {
  try {
    showResult(await bridge.callTool("list_devices", {}));
  } catch (error) {
    showMessage(`The host could not list the devices: ${String(error)}`, "error");
  }
}

bridge.onNotification(METHODS.toolInput, (params) => {
  toolArguments = ToolInputSchema.parse(params).arguments;
});
bridge.onNotification(METHODS.toolResult, (params) => showResult(CallToolResultSchema.parse(params)));
bridge.onNotification(METHODS.toolCancelled, () => showMessage("The tool call was cancelled.", "muted"));
bridge.onRequest(METHODS.teardown, () => {
  stop?.();
  return {};
});
bridge.connect({ name: "jetson-fleet-panel", version: "0.1.0" }).catch((error: unknown) => showMessage(`This panel needs a chat that shows MCP Apps: ${String(error)}`, "error"));
