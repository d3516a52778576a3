/**
 * The rules behind each setting in config.ts: pure functions from a raw config string to a value or a list of
 * problems. Every problem names the key, quotes the bad value, says what is allowed, and offers a fix where one can
 * be guessed ("did you mean ...").
 */
import { closeMatches } from "./policies/netpol/suggest";

/** A parsed value, or every problem found with it. */
export type Parsed<T> = { value: T } | { problems: string[] };

export function quote(value: string): string {
    return JSON.stringify(value);
}

/** The candidate nearest to `word` by edit distance, if it is close enough to be a plausible typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
    return closeMatches(word, candidates, 1)[0];
}

/** A value from a closed set, with the set and a "did you mean" when it is not one of them. */
export function parseChoice<T extends string>(allowed: readonly T[]): (raw: string, key: string) => Parsed<T> {
    return (raw, key) => (allowed.includes(raw as T) ? { value: raw as T } : { problems: [`${key}: ${quote(raw)} ${notOneOf(raw, allowed)}`] });
}

function notOneOf(raw: string, allowed: readonly string[]): string {
    const guess = closestMatch(raw, allowed);
    return `is not one of ${allowed.map(quote).join(", ")}${guess ? `; did you mean ${quote(guess)}?` : ""}`;
}

export function parseBoolean(raw: string, key: string): Parsed<boolean> {
    if (raw === "true" || raw === "false") return { value: raw === "true" };
    return { problems: [`${key}: ${quote(raw)} is not a boolean; use true or false`] };
}

/** A list whose every item comes from a closed set. */
export function parseChoices<T extends string>(allowed: readonly T[]): (raw: string, key: string) => Parsed<T[]> {
    return (raw, key) => {
        const list = parseStringList(raw, key, { allowEmpty: true });
        if ("problems" in list) return list;
        const problems = list.value.flatMap((item, i) => (allowed.includes(item as T) ? [] : [`${key}[${i}]: ${quote(item)} ${notOneOf(item, allowed)}`]));
        return problems.length > 0 ? { problems } : { value: list.value as T[] };
    };
}

// ---- kubernetesVersion ------------------------------------------------------------------------------------------

/**
 * The oldest minor version EKS still creates clusters for (1.31 leaves extended support on 2026-11-26). A version
 * that is merely out of standard support is allowed: it works, at the extended-support price.
 */
export const OLDEST_KUBERNETES_MINOR = 32;

export function parseKubernetesVersion(raw: string, key: string): Parsed<string> {
    const match = /^1\.(\d+)$/.exec(raw);
    if (!match) {
        const minor = /^v?1\.(\d+)(\.\d+)*$/.exec(raw);
        const hint = minor ? `did you mean "1.${minor[1]}"?` : 'use the form "1.35"';
        return { problems: [`${key}: ${quote(raw)} is not a Kubernetes minor version; EKS takes "1.<minor>", ${hint}`] };
    }
    const minor = Number(match[1]);
    if (minor < OLDEST_KUBERNETES_MINOR) {
        // An unquoted 1.30 in YAML is the number 1.3: the trailing zero is lost before we ever see it.
        const lostZero = match[1].length === 1 && minor * 10 >= OLDEST_KUBERNETES_MINOR;
        const hint = lostZero
            ? `did you mean "1.${minor}0"? Quote it in YAML, or 1.${minor}0 is read as the number 1.${minor}`
            : `use "1.${OLDEST_KUBERNETES_MINOR}" or newer`;
        return { problems: [`${key}: ${quote(raw)} is older than EKS supports; ${hint}`] };
    }
    return { value: raw };
}

// ---- lists ------------------------------------------------------------------------------------------------------

/**
 * Lists arrive as JSON text (Pulumi serialises a YAML list in the stack file that way). A bare string almost always
 * means `pulumi config set key value` was used where `--path 'key[0]'` was meant.
 */
function parseStringList(raw: string, key: string, options: { allowEmpty?: boolean } = {}): Parsed<string[]> {
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        value = undefined;
    }
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
        return {
            problems: [
                `${key}: ${quote(raw)} is not a list of strings; set it as a YAML list in Pulumi.<stack>.yaml ` +
                    `or with \`pulumi config set --path '${key}[0]' <value>\``,
            ],
        };
    }
    if (value.length === 0 && !options.allowEmpty) return { problems: [`${key}: [] is empty; list at least one value`] };
    const duplicates = value.filter((item, i) => value.indexOf(item) !== i);
    if (duplicates.length > 0) {
        return { problems: [...new Set(duplicates)].map((d) => `${key}: ${quote(d)} is listed twice; list each value once`) };
    }
    return { value };
}

/** Parses a list, then every item; problems name the item's index, e.g. `nodeInstanceTypes[1]`. */
function parseListOf(raw: string, key: string, item: (value: string, path: string) => string | undefined): Parsed<string[]> {
    const list = parseStringList(raw, key);
    if ("problems" in list) return list;
    const problems = list.value.flatMap((v, i) => item(v, `${key}[${i}]`) ?? []);
    return problems.length > 0 ? { problems } : list;
}

// ---- nodeInstanceTypes ------------------------------------------------------------------------------------------

/** family + generation + options, a dot, a size: "t3.medium", "m7i-flex.large", "c7gn.16xlarge", "u-6tb1.56xlarge". */
const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9]+$/;

export type Architecture = "x86_64" | "arm64";

/**
 * Graviton (arm64) types have a "g" right after the generation digit (m7g, c7gn, r8gd, im4gn, x2gd, g5g); a1 is the
 * first-generation Graviton. Everything else EKS runs is x86_64.
 */
export function instanceArchitecture(instanceType: string): Architecture {
    const family = instanceType.split(".")[0];
    if (family === "a1") return "arm64";
    return /^[a-z-]+\d+g/.test(family) ? "arm64" : "x86_64";
}

export function parseInstanceTypes(raw: string, key: string): Parsed<string[]> {
    const list = parseListOf(raw, key, (type, path) => {
        if (INSTANCE_TYPE_PATTERN.test(type)) return undefined;
        const hint = INSTANCE_TYPE_PATTERN.test(type.toLowerCase())
            ? `did you mean ${quote(type.toLowerCase())}?`
            : 'use family, generation and size, e.g. "t3.medium"';
        return `${path}: ${quote(type)} does not look like an EC2 instance type; ${hint}`;
    });
    if ("problems" in list) return list;
    const arm = list.value.filter((t) => instanceArchitecture(t) === "arm64");
    const x86 = list.value.filter((t) => instanceArchitecture(t) === "x86_64");
    if (arm.length > 0 && x86.length > 0) {
        return {
            problems: [
                `${key}: ${JSON.stringify(list.value)} mixes x86_64 (${x86.join(", ")}) and arm64 (${arm.join(", ")}); ` +
                    "a node group runs one CPU architecture, so list only x86_64 or only arm64 (Graviton) types",
            ],
        };
    }
    return list;
}

// ---- node counts ------------------------------------------------------------------------------------------------

/** EKS quota: nodes per managed node group. */
export const MAX_NODES_PER_GROUP = 450;
const SIZE_RULE = "need 0 <= nodeMin <= nodeDesired <= nodeMax";

export function parseNodeCount(raw: string, key: string): Parsed<number> {
    if (!/^-?\d+$/.test(raw.trim())) return { problems: [`${key}: ${quote(raw)} is not a whole number; ${SIZE_RULE}`] };
    const value = Number(raw);
    if (value < 0) return { problems: [`${key}: ${value} is negative; ${SIZE_RULE}`] };
    return { value };
}

/** The sizes must nest and stay within EKS's limits. Skips any size that failed to parse (already reported). */
export function checkNodeGroup(s: { nodeMin?: number; nodeDesired?: number; nodeMax?: number }): string[] {
    const problems: string[] = [];
    const { nodeMin: min, nodeDesired: desired, nodeMax: max } = s;
    if (max !== undefined && max < 1) problems.push(`nodeMax: ${max} is less than 1; the node group needs room for a node`);
    if (max !== undefined && max > MAX_NODES_PER_GROUP) {
        problems.push(`nodeMax: ${max} is more than ${MAX_NODES_PER_GROUP}, the EKS limit of nodes per managed node group`);
    }
    if (min !== undefined && desired !== undefined && min > desired) {
        problems.push(`nodeMin: ${min} is greater than nodeDesired: ${desired}; ${SIZE_RULE}`);
    }
    if (desired !== undefined && max !== undefined && desired > max) {
        problems.push(`nodeDesired: ${desired} is greater than nodeMax: ${max}; ${SIZE_RULE}`);
    }
    return problems;
}

// ---- clusterEndpointPublicAccessCidrs ---------------------------------------------------------------------------

/** An IPv4 address as an unsigned 32-bit number, or undefined if `text` is not a dotted quad. */
function ipv4ToNumber(text: string): number | undefined {
    const octets = text.split(".");
    if (octets.length !== 4 || !octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255)) return undefined;
    return octets.reduce((n, o) => n * 256 + Number(o), 0);
}

function numberToIpv4(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Why `cidr` is not a canonical IPv4 CIDR, with the likely intended value, or undefined if it is one. */
export function ipv4CidrProblem(cidr: string): string | undefined {
    const [address, prefixText, ...rest] = cidr.split("/");
    const base = ipv4ToNumber(address);
    if (base !== undefined && prefixText === undefined) return `has no prefix length; did you mean ${quote(`${cidr}/32`)}?`;
    const prefix = /^\d{1,2}$/.test(prefixText ?? "") ? Number(prefixText) : NaN;
    if (base === undefined || rest.length > 0 || !(prefix >= 0 && prefix <= 32)) {
        return 'is not an IPv4 CIDR; use the form "203.0.113.0/24"';
    }
    // AWS rejects a CIDR with host bits set; the network address is what was meant.
    const network = base - (base % 2 ** (32 - prefix));
    if (network !== base) return `has host bits set; did you mean ${quote(`${numberToIpv4(network)}/${prefix}`)}?`;
    return undefined;
}

export function parseClusterEndpointPublicAccessCidrs(raw: string, key: string): Parsed<string[]> {
    return parseListOf(raw, key, (cidr, path) => {
        const problem = ipv4CidrProblem(cidr);
        return problem && `${path}: ${quote(cidr)} ${problem}`;
    });
}

// ---- calicoVersion ----------------------------------------------------------------------------------------------

/** Whisker (the flow-log UI) and Goldmane arrived in Calico 3.30; older releases also hang on uninstall (calico#8695). */
export const OLDEST_CALICO_MINOR = 30;

export function parseCalicoVersion(raw: string, key: string): Parsed<string> {
    const match = /^v3\.(\d+)\.(\d+)$/.exec(raw);
    if (!match) {
        const bare = /^3\.\d+\.\d+$/.test(raw) ? `; did you mean ${quote(`v${raw}`)}?` : "";
        return { problems: [`${key}: ${quote(raw)} is not a Calico release; use a tigera-operator chart version such as "v3.31.7"${bare}`] };
    }
    if (Number(match[1]) < OLDEST_CALICO_MINOR) return { problems: [`${key}: ${quote(raw)} is older than v3.${OLDEST_CALICO_MINOR}.0, the oldest release this project installs`] };
    return { value: raw };
}

// ---- nodeRecycleTimeoutMinutes, existingClusterName -------------------------------------------------------------

export function parseTimeoutMinutes(raw: string, key: string): Parsed<number> {
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (value >= 1 && value <= 120) return { value };
    return { problems: [`${key}: ${quote(raw)} is not a whole number of minutes from 1 to 120`] };
}

/** Empty, or an EKS cluster name: 1-100 letters, digits, hyphens and underscores, starting with a letter or digit. */
export function parseClusterName(raw: string, key: string): Parsed<string> {
    if (raw === "" || /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(raw)) return { value: raw };
    return { problems: [`${key}: ${quote(raw)} is not an EKS cluster name (letters, digits, hyphens and underscores, up to 100); leave it empty to create a cluster`] };
}
