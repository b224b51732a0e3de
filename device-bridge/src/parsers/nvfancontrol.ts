/** What /etc/nvfancontrol.conf (JetPack 5+) says about its profiles. */
export interface NvfancontrolConf {
  profiles: string[];
  /** FAN_DEFAULT_PROFILE */
  profile?: string;
  /** FAN_DEFAULT_CONTROL */
  control?: string;
}

export function parseNvfancontrolConf(text: string): NvfancontrolConf {
  const lines = text.split(/\r?\n/).map((line) => line.replace(/#.*$/, "").trim());
  const value = (key: string) => lines.map((line) => new RegExp(`^${key}\\s+(\\S+)$`).exec(line)?.[1]).find((v) => v !== undefined);
  const profiles = lines.map((line) => /^FAN_PROFILE\s+(\S+)\s*\{$/.exec(line)?.[1]).filter((p): p is string => p !== undefined);
  const profile = value("FAN_DEFAULT_PROFILE");
  const control = value("FAN_DEFAULT_CONTROL");
  return { profiles, ...(profile === undefined ? {} : { profile }), ...(control === undefined ? {} : { control }) };
}

/** What nvfancontrol runs, from its status file (/var/lib/nvfancontrol/status): `FAN1:FAN_PROFILE:cool` lines. */
export interface NvfancontrolStatus {
  profile?: string;
  governor?: string;
  control?: string;
}

const STATUS_KEYS = new Map<string, keyof NvfancontrolStatus>([
  ["FAN_PROFILE", "profile"],
  ["FAN_GOVERNOR", "governor"],
  ["FAN_CONTROL", "control"],
]);

/** The first fan's entries (Jetsons have one fan); other lines are ignored. */
export function parseNvfancontrolStatus(text: string): NvfancontrolStatus {
  const status: NvfancontrolStatus = {};
  let fan: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(FAN\d+):(FAN_[A-Z]+):(\S+)\s*$/.exec(line);
    const key = m ? STATUS_KEYS.get(m[2] as string) : undefined;
    if (!m || key === undefined) continue;
    fan ??= m[1];
    if (m[1] === fan && status[key] === undefined) status[key] = m[3];
  }
  return status;
}
