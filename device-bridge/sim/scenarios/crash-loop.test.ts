import { describe, expect, it } from "vitest";
import { DockerEngine } from "../../src/containers/docker-engine.js";
import { SocketEngineClient } from "../../src/containers/engine-client.js";
import { LogCollector } from "../../src/containers/log-stream.js";
import { startSimulatedEngine } from "../container-engine.js";
import { tempJetson } from "../testing.js";
import { CRASH_LOOP, crashLoop } from "./crash-loop.js";

describe("the crash-loop scenario", () => {
  it("shows the bridge's engine client a container that fails after each start and is restarted, its logs naming why", async () => {
    const sim = await tempJetson("xavier-nx-jp51");
    const engine = await startSimulatedEngine(sim.root);
    const docker = new DockerEngine(new SocketEngineClient(engine.socketPath));
    try {
      expect(await docker.listContainers(true)).toEqual([]);

      crashLoop.step(sim.root, 1);
      const [up] = await docker.listContainers(false);
      expect(up).toMatchObject({ Names: ["/camera-ingest"], State: "running" });
      expect(await docker.inspectContainer("camera-ingest")).toMatchObject({ RestartCount: 0, State: { Running: true } });

      const cycle = CRASH_LOOP.runS + CRASH_LOOP.backoffS;
      crashLoop.step(sim.root, 2 * cycle + CRASH_LOOP.runS + 1);
      const [down] = await docker.listContainers(false);
      expect(down?.Status).toMatch(/^Restarting \(1\) \d+ seconds ago$/);
      const inspected = await docker.inspectContainer(CRASH_LOOP.id.slice(0, 12));
      expect(inspected).toMatchObject({ RestartCount: 2, State: { Status: "restarting", Running: false, ExitCode: 1 }, HostConfig: { RestartPolicy: { Name: "always" } } });

      const collector = new LogCollector({ tty: false, maxBytes: 65_536 });
      for await (const chunk of await docker.logs("camera-ingest", { tail: 4 })) collector.add(chunk);
      const { lines } = collector.finish();
      expect(lines.map((l) => l.text)).toContain("ERROR: cannot open /dev/video0: No such device");
      expect(lines.filter((l) => l.stream === "stderr")).toHaveLength(2);
    } finally {
      await engine.close();
      await sim.remove();
    }
  });

  it("lists the image its container runs, as an engine lists the images of its containers", async () => {
    const sim = await tempJetson("orin-nano-super-jp6");
    const engine = await startSimulatedEngine(sim.root);
    const docker = new DockerEngine(new SocketEngineClient(engine.socketPath));
    try {
      expect(await docker.listImages()).toEqual([]);
      crashLoop.step(sim.root, 1);
      crashLoop.step(sim.root, 2);
      expect(await docker.listImages()).toEqual([{ Id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), RepoTags: [CRASH_LOOP.image], Size: CRASH_LOOP.imageBytes }]);
    } finally {
      await engine.close();
      await sim.remove();
    }
  });
});
