import { app } from "./app.js";

export { DeviceObject } from "./device/device-object.js";
export { RegistryObject } from "./registry/registry-object.js";

export default app;
