import type { ErrorCode } from "@jetson/protocol";
import { ActionError } from "../action-error.js";
import { EngineUnreachableError } from "./engine-client.js";

/** What a failed Engine request was about, so its error can name it. */
export interface Subject {
  container?: string;
  image?: string;
  name?: string;
}

interface Rule {
  matches(status: number, message: string, subject: Subject): boolean;
  code: ErrorCode;
  explain(subject: Subject, message: string): string;
}

export const NVIDIA_RUNTIME_MISSING =
  "GPU access needs the NVIDIA container runtime, which this Docker Engine does not have: install it (sudo apt install nvidia-container, part of JetPack) and restart Docker with sudo systemctl restart docker, or run without gpu.";

// Docker and podman word the same failures differently (podman answers 500 where Docker says 409), so match both.
const RULES: Rule[] = [
  {
    matches: (status, m, { image, container }) => /no such image|image not known/i.test(m) || (status === 404 && !!image && !container),
    code: "invalid_input",
    explain: ({ image }) => `Image ${image ?? ""} is not on the device: pull it first with containers_pull (containers_images lists what is there).`,
  },
  {
    matches: (status, m, { container }) => /no such container|no container with name or id/i.test(m) || (status === 404 && !!container),
    code: "invalid_input",
    explain: ({ container }) => noSuchContainer(container ?? "").message,
  },
  {
    matches: (status, m) => /is already in use/i.test(m) && (status === 409 || /name/i.test(m)),
    code: "invalid_input",
    explain: ({ name }) =>
      `The container name ${name ?? ""} is already taken: choose another name, or remove the old container with containers_remove.`,
  },
  {
    matches: (_status, m) => /cannot remove a running container|running or paused containers cannot be removed/i.test(m),
    code: "invalid_input",
    explain: ({ container }) => `${container ?? "The container"} is running: stop it first with containers_stop, or remove it with force: true.`,
  },
  {
    matches: (_status, m) => /unknown runtime|runtime .*nvidia.* not found|nvidia-container-runtime/i.test(m),
    code: "not_supported",
    explain: () => NVIDIA_RUNTIME_MISSING,
  },
  {
    matches: (_status, m) => /port is already allocated|address already in use/i.test(m),
    code: "invalid_input",
    explain: (_subject, m) => `A host port it asks for is already in use on the device: choose another hostPort (${m}).`,
  },
];

export function noSuchContainer(container: string): ActionError {
  return new ActionError("invalid_input", `There is no container ${container} on the device: containers_list shows the ones there are.`);
}

/** An Engine answer that is not a success, as an error the caller can act on. */
export function engineFailure(status: number, message: string, subject: Subject): ActionError {
  const rule = RULES.find((r) => r.matches(status, message, subject));
  if (rule) return new ActionError(rule.code, rule.explain(subject, message));
  return new ActionError("handler_failed", `The Docker Engine refused (HTTP ${status}): ${message}`);
}

/** The engine is not there: say how to bring it back. */
export function unreachable(error: EngineUnreachableError): ActionError {
  if (error.reason === "EACCES" || error.reason === "EPERM") {
    return new ActionError(
      "permission_denied",
      `The bridge may not use the Docker socket ${error.socketPath}: add the bridge's user to the docker group (sudo usermod -aG docker <user>) and restart the bridge.`,
    );
  }
  return new ActionError(
    "unavailable",
    `Docker is not running or its socket ${error.socketPath} is missing: start it with sudo systemctl start docker (or set docker.socket in the bridge configuration to where the engine listens).`,
  );
}

interface PullRule {
  pattern: RegExp;
  code: ErrorCode;
  explain(image: string, message: string): string;
}

const PULL_RULES: PullRule[] = [
  {
    pattern: /manifest unknown|not found|does not exist|repository .* not found|pull access denied|name unknown/i,
    code: "invalid_input",
    explain: (image, m) =>
      `The registry has no image ${image} (or refuses this device access to it): check the name and tag, and log the engine in if it is private. (${m})`,
  },
  {
    pattern: /no such host|dial tcp|connection refused|i\/o timeout|network is unreachable|TLS handshake timeout|timeout|pinging container registry/i,
    code: "unavailable",
    explain: (image, m) =>
      `The device could not reach the registry for ${image}: check its network, DNS and proxy settings, or copy the image another way (docker load). (${m})`,
  },
];

export function pullFailure(image: string, message: string): ActionError {
  const rule = PULL_RULES.find((r) => r.pattern.test(message));
  return rule ? new ActionError(rule.code, rule.explain(image, message)) : new ActionError("handler_failed", `Pulling ${image} failed: ${message}`);
}
