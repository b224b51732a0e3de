/** The API tokens and dashboard sessions the registry benchmark creates, which its token and session checks spread over. */
export const POPULATION = { tokens: 200, sessions: 100 };
