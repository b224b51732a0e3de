// The dashboard's client and the in-chat panel, built by dashboard/build.mjs and imported as text (wrangler.jsonc "rules").
declare module "*.bundle.js" {
  const text: string;
  export default text;
}
declare module "*.bundle.css" {
  const text: string;
  export default text;
}
declare module "*.bundle.html" {
  const text: string;
  export default text;
}
