import { type ProvisionedDevice, topicFor } from "@jetson/protocol";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { connectDevice, orinSample } from "../test/support/mqtt-device.js";
import { latencies, timeSequential } from "./stats.js";

/** Past the default 85 °C raise and below the 80 °C clear, idle (so nothing else, such as throttling, changes). */
const HOT_C = 95;
const COOL_C = 50;

/**
 * From a device's telemetry sample that raises or clears its temperature alert (timed from the
 * publish) to `notifications/resources/updated` for the device's alerts on a 2026-07-28 client
 * listening over `subscriptions/listen`: device link, device object, fleet registry, listen stream.
 */
export async function benchAlertNotification(baseUrl: string, token: string, device: ProvisionedDevice, changes: number) {
  const link = await connectDevice(baseUrl, device);
  const client = new Client({ name: "bench-listen", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const uri = `jetson://devices/${device.id}/alerts`;
  let notified = () => {};
  client.setNotificationHandler("notifications/resources/updated", ({ params }) => {
    if (params.uri === uri) notified();
  });
  const subscription = await client.listen({ resourceSubscriptions: [uri] });
  let hot = false;
  try {
    const times = await timeSequential(changes, 4, async () => {
      hot = !hot;
      const heard = new Promise<void>((resolve) => (notified = resolve));
      await link.publishAsync(topicFor(device.id, "telemetry"), JSON.stringify({ samples: [orinSample(Date.now(), hot ? HOT_C : COOL_C, 5)] }), { qos: 1 });
      await heard;
    });
    return { "alerts raised and cleared": changes, ...latencies(times) };
  } finally {
    await subscription.close();
    await client.close();
    await link.endAsync();
  }
}
