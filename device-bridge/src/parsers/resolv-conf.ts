/** systemd-resolved's local stub listener; /etc/resolv.conf naming it says nothing about the real servers. */
export const RESOLVED_STUB = "127.0.0.53";

/** resolv.conf(5): `nameserver` lines and the `search` (or older `domain`) list; `#` and `;` start comments. */
export function parseResolvConf(text: string): { servers: string[]; search: string[] } {
  const servers: string[] = [];
  let search: string[] = [];
  for (const raw of text.split("\n")) {
    const [keyword, ...values] = raw.replace(/[#;].*$/, "").trim().split(/\s+/);
    if (keyword === "nameserver" && values[0]) servers.push(values[0]);
    if (keyword === "search" || keyword === "domain") search = values;
  }
  return { servers, search };
}
