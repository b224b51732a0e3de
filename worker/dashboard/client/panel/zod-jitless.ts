import { z } from "zod";

// zod compiles its object parsers with new Function unless told not to, and decides so when
// each schema is built: the host's CSP forbids it (no 'unsafe-eval', and the attempt is reported
// as a violation), so this module is imported before any module that builds a schema.
z.config({ jitless: true });
