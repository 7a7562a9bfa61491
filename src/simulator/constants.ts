/** Fixed facts of the simulated Discord. */

/** InsightFaceSwap's real application id (= its bot user id), public in its invite link. */
export const FACESWAP_APPLICATION_ID = '1090660574196674713';

/** Discord's interaction acknowledgement deadline. */
export const DEFAULT_INTERACTION_TIMEOUT_MS = 3000;

/** Discord's typical HELLO interval. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 41250;

/** Gateway payloads larger than this close the socket with 4002. */
export const MAX_GATEWAY_PAYLOAD_BYTES = 15 * 1024;

/** Message flags. */
export const FLAG_EPHEMERAL = 1 << 6;
export const FLAG_LOADING = 1 << 7;
