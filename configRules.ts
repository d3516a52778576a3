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

export interface EksKubernetesVersion {
    /** "1.<minor>", as EKS takes it. */
    version: string;
    /** When EKS standard support ends (after it, the cluster costs the extended-support price). Informational only. */
    endOfStandardSupport: string;
}

/**
 * The EKS Kubernetes versions this project knows, oldest first: the only values kubernetesVersion may take. The oldest
 * is the oldest EKS still creates clusters for. Validation never looks at today's date: a version past its standard
 * support still works (at the extended-support price). When EKS releases a version, add it here.
 */
export const EKS_KUBERNETES_VERSIONS: readonly EksKubernetesVersion[] = [
    { version: "1.32", endOfStandardSupport: "2026-03-23" },
    { version: "1.33", endOfStandardSupport: "2026-07-29" },
    { version: "1.34", endOfStandardSupport: "2026-12-02" },
    { version: "1.35", endOfStandardSupport: "2027-03-27" },
    { version: "1.36", endOfStandardSupport: "2027-08" }, // an estimate (about 14 months after release); no date published yet
];

/** A kubernetesVersion parser that accepts exactly the versions in `known` (oldest first). Exported for testing. */
export function kubernetesVersionParser(known: readonly EksKubernetesVersion[]): (raw: string, key: string) => Parsed<string> {
    const versions = known.map((v) => v.version);
    return (raw, key) => (versions.includes(raw) ? { value: raw } : { problems: [`${key}: ${quote(raw)} ${kubernetesVersionProblem(raw, versions)}`] });
}

export const parseKubernetesVersion = kubernetesVersionParser(EKS_KUBERNETES_VERSIONS);

const ADD_VERSION = "add it to EKS_KUBERNETES_VERSIONS in configRules.ts";

/** Why `raw`, which is not one of `versions`, is wrong, and the likely intended value. */
function kubernetesVersionProblem(raw: string, versions: string[]): string {
    const list = versions.map(quote).join(", ");
    const form = /^v?1\.(\d+)(\.\d+)*$/.exec(raw);
    const canonical = form && `1.${Number(form[1])}`;
    if (canonical !== raw) {
        // "v1.35", "1.35.2", "1.035": the minor version is there, in a form EKS does not take.
        const hint = canonical && versions.includes(canonical) ? `did you mean ${quote(canonical)}?` : `use one of ${list}`;
        return `is not a Kubernetes minor version; EKS takes "1.<minor>", ${hint}`;
    }
    const minor = Number(form![1]);
    const minors = versions.map((v) => Number(v.split(".")[1]));
    // An unquoted 1.40 in YAML is the number 1.4: the trailing zero is lost before we ever see it.
    const meant = `1.${minor}0`;
    const lostZero = `did you mean ${quote(meant)}? Quote it in YAML, or ${meant} is read as the number ${raw}`;
    if (minor < 10 && versions.includes(meant)) return `is not an EKS version this project knows; ${lostZero}`;
    if (minor < 10 && minor * 10 > Math.max(...minors)) {
        return `is not an EKS version this project knows (${list}); ${lostZero}. If EKS has released ${meant} since, ${ADD_VERSION}`;
    }
    if (minor < Math.min(...minors)) return `is older than EKS supports; use one of ${list}`;
    if (minor > Math.max(...minors)) return `is not an EKS version this project knows (${list}); if EKS has released it since, ${ADD_VERSION}`;
    return `is not an EKS version this project knows; use one of ${list}`;
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
                    `or with \`npm run pulumi -- config set --path '${key}[0]' <value>\``,
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
function parseListOf(
    raw: string,
    key: string,
    item: (value: string, path: string) => string | undefined,
    options: { allowEmpty?: boolean; maxItems?: { count: number; why: string } } = {},
): Parsed<string[]> {
    const list = parseStringList(raw, key, options);
    if ("problems" in list) return list;
    const { maxItems } = options;
    const problems = maxItems && list.value.length > maxItems.count ? [`${key}: ${list.value.length} items is more than ${maxItems.count}, ${maxItems.why}`] : [];
    problems.push(...list.value.flatMap((v, i) => item(v, `${key}[${i}]`) ?? []));
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

/** EKS quota: public access CIDRs per cluster. */
export const MAX_PUBLIC_ACCESS_CIDRS = 40;

export function parseClusterEndpointPublicAccessCidrs(raw: string, key: string): Parsed<string[]> {
    const maxItems = { count: MAX_PUBLIC_ACCESS_CIDRS, why: "the EKS limit of public access CIDRs per cluster; merge neighbouring ranges into wider ones" };
    return parseListOf(
        raw,
        key,
        (cidr, path) => {
            const problem = ipv4CidrProblem(cidr);
            return problem && `${path}: ${quote(cidr)} ${problem}`;
        },
        { maxItems },
    );
}

// ---- clusterAdminArns -------------------------------------------------------------------------------------------

/** Characters of IAM role, user and path names. */
const IAM_NAME = "[\\w+=,.@-]";
/** arn:<partition>:iam::<account>:role|user/<optional path/><name>: what an EKS access entry takes as its principal. */
const IAM_PRINCIPAL_ARN = new RegExp(`^arn:(aws[a-z-]*):iam::(\\d{12}):(role|user)/((?:${IAM_NAME}+/)*)(${IAM_NAME}+)$`);
const IAM_NAME_MAX = 64;
const ARN_FORM = 'use the form "arn:aws:iam::123456789012:role/<name>" or "arn:aws:iam::123456789012:user/<name>"';

/** Why `arn` is not an IAM role or user ARN, with the likely intended value, or undefined if it is one. */
export function iamPrincipalArnProblem(arn: string): string | undefined {
    const principal = IAM_PRINCIPAL_ARN.exec(arn);
    if (principal) {
        const [, , , kind, , name] = principal;
        return name.length > IAM_NAME_MAX ? `has a ${kind} name of ${name.length} characters; IAM allows at most ${IAM_NAME_MAX}` : undefined;
    }
    // What `aws sts get-caller-identity` prints for a role: the session, whose role is what an access entry takes.
    const session = new RegExp(`^arn:(aws[a-z-]*):sts::(\\d{12}):assumed-role/(${IAM_NAME}+)/[^/]+$`).exec(arn);
    if (session) return `is a role session, not a role; did you mean ${quote(`arn:${session[1]}:iam::${session[2]}:role/${session[3]}`)}?`;
    const root = /^arn:(aws[a-z-]*):iam::(\d{12}):root$/.exec(arn);
    if (root) return `is an account's root user; EKS access entries need an IAM role or user, e.g. ${quote(`arn:${root[1]}:iam::${root[2]}:role/<name>`)}`;
    return `is not an IAM role or user ARN; ${ARN_FORM}`;
}

/** A list, possibly empty, of IAM role and user ARNs; which partition they must be in is checked against the region. */
export function parseClusterAdminArns(raw: string, key: string): Parsed<string[]> {
    return parseListOf(
        raw,
        key,
        (arn, path) => {
            const problem = iamPrincipalArnProblem(arn);
            return problem && `${path}: ${quote(arn)} ${problem}`;
        },
        { allowEmpty: true },
    );
}

/** The AWS partition a region belongs to, which every ARN names: "aws-cn" for cn-*, "aws-us-gov" for us-gov-*, else "aws". */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/** ARNs of another partition than the region's name principals EKS cannot find. Each is reported with its fix. */
export function checkArnPartitions(arns: readonly string[], region: string, key: string): string[] {
    const expected = partitionOf(region);
    return arns.flatMap((arn, i) => {
        const partition = arn.split(":")[1];
        if (partition === expected) return [];
        const fixed = ["arn", expected, ...arn.split(":").slice(2)].join(":");
        return [`${key}[${i}]: ${quote(arn)} is in partition ${quote(partition)}, but aws:region ${quote(region)} is in ${quote(expected)}; did you mean ${quote(fixed)}?`];
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
