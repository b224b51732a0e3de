// Reads /etc/nvpmodel.conf as nvpmodel does.
const HEADER = /^<\s*(PARAM|POWER_MODEL|PM_CONFIG)\s+(.*?)\s*>$/;

/**
 * params: Map name -> { type, args: Map arg -> path } in file order;
 * models: [{ id, name, settings: [{ param, arg, value }] }]; defaultId.
 */
export function parseConf(text) {
  const conf = { params: new Map(), models: [], defaultId: undefined };
  let section;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = HEADER.exec(line);
    if (header) {
      const attrs = Object.fromEntries(header[2].split(/\s+/).map((pair) => pair.split("=")));
      section = undefined;
      if (header[1] === "PARAM") {
        section = { type: attrs.TYPE, args: new Map() };
        conf.params.set(attrs.NAME, section);
      } else if (header[1] === "POWER_MODEL") {
        section = { id: Number(attrs.ID), name: attrs.NAME, settings: [] };
        conf.models.push(section);
      } else {
        conf.defaultId = Number(attrs.DEFAULT);
      }
      continue;
    }
    const [first, second, third] = line.split(/\s+/);
    if (section?.args) section.args.set(first, second);
    else if (section?.settings) section.settings.push({ param: first, arg: second, value: third });
  }
  return conf;
}

/** nvpmodel prints a -1 ("no cap") as INT_MAX once it has read it. */
export function shownValue(value) {
  return value === "-1" ? "2147483647" : value;
}
