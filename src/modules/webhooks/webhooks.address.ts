/**
 * Where a webhook may not point: loopback, private (RFC 1918, fc00::/7), link-local (with the cloud metadata
 * addresses), CGNAT, unspecified, multicast and reserved ranges, and IPv4-mapped IPv6 forms of any of them.
 * Checked on the URL when a webhook is saved, and on every resolved address when a delivery is sent.
 */
import { BlockList, isIP } from 'node:net'

const blocked = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", and the unspecified address
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, with the metadata service at 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const)
  blocked.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, and the deprecated IPv4-compatible form
  ['fc00::', 7], // unique local, with AWS's metadata service at fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(network, prefix, 'ipv6')

/** The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:127.0.0.1`, `::ffff:7f00:1`…), else undefined. */
function mappedIpv4(address: string): string | undefined {
  // The URL parser writes every IPv6 form in one canonical, compressed spelling: `[::ffff:7f00:1]`.
  const canonical = new URL(`http://[${address}]/`).hostname
  const hex = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(canonical)
  if (!hex) return undefined
  const high = Number.parseInt(hex[1] as string, 16)
  const low = Number.parseInt(hex[2] as string, 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

/** Whether an IP address (v4 or v6, without brackets) is one a webhook may not be sent to. */
export function isForbiddenAddress(address: string): boolean {
  try {
    const version = isIP(address)
    if (version === 4) return blocked.check(address, 'ipv4')
    if (version !== 6) return true
    const v4 = mappedIpv4(address)
    if (v4 !== undefined) return blocked.check(v4, 'ipv4')
    return blocked.check(address, 'ipv6')
  } catch {
    // Anything the checks cannot read (a zone index, say) is refused rather than guessed at.
    return true
  }
}

/** A URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/**
 * Why a webhook URL is refused before anything is resolved, or null: not http(s), credentials in it, and unless
 * private addresses are allowed, not https, an IP literal in a forbidden range, or a `localhost` name.
 */
export function urlProblem(value: string, allowPrivate: boolean): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'Expected an absolute URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Expected an https URL'
  if (url.username || url.password) return 'Must not contain a user name or password'
  if (allowPrivate) return null
  if (url.protocol !== 'https:') return 'Must use https'
  const host = hostOf(url).toLowerCase().replace(/\.$/, '')
  if (isIP(host) !== 0 ? isForbiddenAddress(host) : host === 'localhost' || host.endsWith('.localhost'))
    return 'Must not point to a loopback, private, link-local or reserved address'
  return null
}
