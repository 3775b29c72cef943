/**
 * How often lists, the fleet summary and metrics re-fetch while shown. A stop-gap until the live
 * event stream (socket.io) pushes changes; each factory names it once so it is easy to take out.
 */
export const LIVE_REFRESH_MS = 5_000;
