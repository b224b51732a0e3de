/** Load from one process would trip the per-token and per-device rate limits, so benchmarks and the soak lift them (and say so). */
export const LIFTED_RATE_LIMITS = {
  TOKEN_RATE_PER_SECOND: "100000",
  TOKEN_RATE_BURST: "100000",
  COMMAND_RATE_PER_SECOND: "100000",
  COMMAND_RATE_BURST: "100000",
};
