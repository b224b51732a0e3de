import type { Figure } from "../../src/dashboard/view/device-figures.js";
import { h } from "./dom.js";

/** A device's facts as a description list's terms and values. */
export function drawFacts(list: HTMLDListElement, facts: ReadonlyArray<[string, string]>): void {
  list.replaceChildren(...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

/** A device's figures as tiles, each marked with the metric it shows. */
export function drawTiles(container: HTMLElement, figures: readonly Figure[]): void {
  container.replaceChildren(
    ...figures.map(({ metric, label, value }) => h("div", { class: "tile", "data-metric": metric }, h("span", { class: "label" }, label), h("span", { class: "value" }, value))),
  );
}
