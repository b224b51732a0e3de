// Types of the part of machine.mjs that create.ts calls.

/** First start of a freshly built root: state, counters, then the default power mode. */
export function boot(root: string): void;
/** A reboot: a mode nvpmodel left pending takes effect, and jetson_clocks' lock is gone. */
export function reboot(root: string): void;
/** When the board last booted (ms since the epoch): a reboot moves it. */
export function bootedAt(root: string): number;
/** The simulated workload in percent, which clocks, temperatures, power and memory follow. */
export function setLoad(root: string, percent: number): void;
/** Rewrites every value that moves: current clocks, GPU load, temperatures, rail power, fan speed, /proc. */
export function refresh(root: string): void;
/** Brings /proc's counters and uptime up to now, without the rest of a refresh. */
export function advanceProc(root: string): void;
/** Load (%) and the heat (m°C) every loaded zone carries on top of the load's; zones past their passive trip point throttle the clocks. */
export function setConditions(root: string, conditions: { loadPct: number; heatMC: number }): void;
/** The fan's duty (0-255) as its control sets it; rpm follows. */
export function setFanPwm(root: string, pwm: number): void;
/** The hottest sensor that follows load, in m°C. */
export function hottestMC(root: string): number;
