/**
 * The whole fleet in short steps: gateways read a page at a time, with the
 * event loop given back between pages, so work over every gateway (the line
 * memory at start, the spool's snapshot, the lines' presence when the XMPP
 * link comes up) never stalls the datagrams.
 *
 * @module
 */

import type { GatewayWithState, Store } from "./types.ts";

/**
 * Gateways read per step: small enough that a page is read and dropped
 * within V8's young generation (capped at 4 MB for the daemon), so walks
 * over a large fleet leave no garbage in the old one.
 */
export const GATEWAY_PAGE_SIZE = 250;

/**
 * Every gateway with its line state, page by page in GoIP id order; stops
 * early once `stopped()` says so.
 */
export async function* gatewayPages(
  store: Store,
  opts: { pageSize?: number; stopped?: () => boolean } = {},
): AsyncGenerator<GatewayWithState[]> {
  const size = opts.pageSize ?? GATEWAY_PAGE_SIZE;
  let after = "";
  while (!opts.stopped?.()) {
    const page = await store.gatewaysPage(after, size);
    if (page.length === 0) return;
    yield page;
    if (page.length < size) return;
    after = page[page.length - 1].goipId;
    // A macrotask, not a microtask: datagrams waiting are handled first.
    await new Promise((r) => setTimeout(r, 0));
  }
}
