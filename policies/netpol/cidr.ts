/**
 * IPv4 and IPv6 addresses and CIDR blocks, for `ipBlock` peers and `ip:` endpoints. Addresses are BigInts so both
 * families share one code path.
 */

export interface Address {
    family: 4 | 6;
    value: bigint;
}

export interface Cidr {
    family: 4 | 6;
    /** The network address (host bits cleared). */
    base: bigint;
    prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint | undefined {
    const octets = text.split(".");
    if (octets.length !== 4 || !octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255)) return undefined;
    return octets.reduce((n, o) => (n << 8n) + BigInt(o), 0n);
}

function parseIpv6(text: string): bigint | undefined {
    let groups: string[];
    // A trailing dotted quad (::ffff:192.0.2.1) stands for the last two groups.
    const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    let tail: bigint | undefined;
    if (v4) {
        tail = parseIpv4(v4[2]);
        if (tail === undefined) return undefined;
        text = `${v4[1]}0:0`;
    }
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const head = halves[0] === "" ? [] : halves[0].split(":");
    if (halves.length === 2) {
        const rest = halves[1] === "" ? [] : halves[1].split(":");
        if (head.length + rest.length > 7) return undefined;
        groups = [...head, ...Array(8 - head.length - rest.length).fill("0"), ...rest];
    } else {
        groups = head;
    }
    if (groups.length !== 8 || !groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    let value = groups.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
    if (tail !== undefined) value = (value & ~0xffffffffn) | tail;
    return value;
}

export function parseAddress(text: string): Address | undefined {
    const v4 = parseIpv4(text);
    if (v4 !== undefined) return { family: 4, value: v4 };
    const v6 = text.includes(":") ? parseIpv6(text) : undefined;
    return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** Parses "A.B.C.D/N" or an IPv6 CIDR. Host bits are cleared, as the API server accepts them. */
export function parseCidr(text: string): Cidr | undefined {
    const slash = text.lastIndexOf("/");
    if (slash < 0) return undefined;
    const address = parseAddress(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    if (!address || !/^\d{1,3}$/.test(prefixText)) return undefined;
    const prefix = Number(prefixText);
    if (prefix > BITS[address.family]) return undefined;
    return { family: address.family, base: network(address.value, address.family, prefix), prefix };
}

function network(value: bigint, family: 4 | 6, prefix: number): bigint {
    const hostBits = BigInt(BITS[family] - prefix);
    return (value >> hostBits) << hostBits;
}

export function cidrContains(cidr: Cidr, address: Address): boolean {
    return cidr.family === address.family && network(address.value, address.family, cidr.prefix) === cidr.base;
}

/** True when `inner` lies within `outer` (equal counts). */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
    return inner.family === outer.family && inner.prefix >= outer.prefix && cidrContains(outer, { family: inner.family, value: inner.base });
}
