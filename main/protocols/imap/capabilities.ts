/**
 * What the server said it can do (CAPABILITY), and what that means for the
 * caller (AdapterCapabilities). Decided by capability names only, never by
 * the server's name or greeting; names compare case-insensitively (RFC 9051
 * section 9: atoms are case-insensitive).
 */
import type { AdapterCapabilities } from '../../../shared/model';

/** The server's CAPABILITY list, case-insensitive. */
export class ServerCapabilities {
  private readonly names: ReadonlySet<string>;

  constructor(names: Iterable<string>) {
    this.names = new Set([...names].map((name) => name.toUpperCase()));
  }

  /** Whether the server announced exactly this capability (IDLE, UIDPLUS, ...). */
  has(name: string): boolean {
    return this.names.has(name.toUpperCase());
  }

  /** A capability with any `NAME=value` form, e.g. QUOTA=RES-STORAGE for QUOTA. */
  hasFamily(name: string): boolean {
    const upper = name.toUpperCase();
    if (this.names.has(upper)) return true;
    for (const each of this.names) if (each.startsWith(`${upper}=`)) return true;
    return false;
  }
}

/** Before connecting: what every IMAP server does; extensions are assumed absent until announced. */
export const IMAP_BASELINE: AdapterCapabilities = {
  serverFolders: true,
  serverFlags: true,
  push: false,
  serverSearch: true,
  stableIds: true,
  partialFetch: true,
  changeTracking: false,
  vanishedTracking: false,
  atomicMove: false,
  quota: false,
  append: true,
};

/** What the caller may offer, given the server's CAPABILITY list after login. */
export function adapterCapabilitiesOf(server: ServerCapabilities): AdapterCapabilities {
  const qresync = server.has('QRESYNC');
  return {
    ...IMAP_BASELINE,
    push: server.has('IDLE'),
    // QRESYNC implies CONDSTORE (RFC 7162 section 3.2.3).
    changeTracking: server.has('CONDSTORE') || qresync,
    vanishedTracking: qresync,
    atomicMove: server.has('MOVE'),
    quota: server.hasFamily('QUOTA'),
  };
}
