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
