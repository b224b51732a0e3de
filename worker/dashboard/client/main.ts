import "./styles.css";
import { startDeviceView } from "./device-view.js";
import { startFleetView } from "./fleet-view.js";

// The server names the view and its device on <main>; the rest is drawn here.
const main = document.getElementById("main");
if (main?.dataset.view === "fleet") startFleetView(main);
else if (main?.dataset.view === "device" && main.dataset.device) startDeviceView(main, main.dataset.device);
