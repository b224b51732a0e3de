import { UpdatePublicKeySchema } from "@jetson/protocol";
import { z } from "zod";

/**
 * The update key this device trusts after following the fleet's rotations, beside the key its
 * configuration pinned when it was enrolled: enrolled again (another key there), it starts over
 * from that one.
 */
export const TrustedKeySchema = z.object({ enrolled: UpdatePublicKeySchema, trusted: UpdatePublicKeySchema });
export type TrustedKey = z.infer<typeof TrustedKeySchema>;
