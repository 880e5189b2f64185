/**
 * Per-line send limits and pacing; the only module other folders import.
 *
 * @module
 */

export {
  type CheckPoint,
  checkSendLimit,
  enqueueGuard,
  type LimitConfig,
  type LimitExceeded,
  limitText,
  type LineUsage,
  lineUsage,
  retryAfterS,
  SendLimitError,
} from "./check.ts";
export {
  type LimitName,
  limitsOrPace,
  type LineLimits,
  lineLimits,
  nextSendAtMs,
  usageQuery,
  usedOf,
} from "./rules.ts";
