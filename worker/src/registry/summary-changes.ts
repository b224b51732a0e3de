import type { DeviceSummary } from "@jetson/protocol";

/** The resources a device's summary appears in; listeners name them in their filters. */
export const DEVICES_URI = "jetson://devices";
export const deviceUri = (id: string) => `${DEVICES_URI}/${id}`;
export const deviceAlertsUri = (id: string) => `${deviceUri(id)}/alerts`;

type Summary = DeviceSummary | undefined;

/** An alert is the same alert while its kind and the time it was raised are: its message and value may be refreshed. */
const activeAlerts = (s: Summary) =>
  JSON.stringify((s?.alerts ?? []).filter((alert) => alert.clearedAt === undefined).map((alert) => [alert.kind, alert.since]));

/** What a reader of the device's resource cares about; the telemetry brief and last-seen time move with every sample and are left out. */
const described = (s: Summary) => JSON.stringify([s?.state, s?.tags, s?.drift]);

/**
 * Which aspects of a device changed between two of its summaries (undefined: not in the fleet),
 * and for each the resources that show it.
 */
const ASPECTS: ReadonlyArray<{ changed: (before: Summary, after: Summary) => boolean; uris: (id: string) => string[] }> = [
  { changed: (before, after) => (before === undefined) !== (after === undefined), uris: (id) => [DEVICES_URI, deviceUri(id), deviceAlertsUri(id)] },
  { changed: (before, after) => before?.online !== after?.online, uris: (id) => [DEVICES_URI, deviceUri(id)] },
  { changed: (before, after) => activeAlerts(before) !== activeAlerts(after), uris: (id) => [DEVICES_URI, deviceUri(id), deviceAlertsUri(id)] },
  { changed: (before, after) => described(before) !== described(after), uris: (id) => [deviceUri(id)] },
];

/** The resource URIs a listener should hear about when a device's summary goes from `before` to `after`; none for a new telemetry sample alone. */
export function changedUris(id: string, before: Summary, after: Summary): string[] {
  return [...new Set(ASPECTS.filter((aspect) => aspect.changed(before, after)).flatMap((aspect) => aspect.uris(id)))];
}
