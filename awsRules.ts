/**
 * The rules behind the settings that describe AWS resources: instance types, node group sizes, public-access CIDRs
 * and IAM principal ARNs, with the AWS limits and partitions they answer to. Like configRules.ts: pure functions from
 * a raw config string to a value or every problem, each naming the key, the bad value, what is allowed and a fix.
 */
import { samePrincipal } from "./components/clusterAdmins";
import { parseListOf, Parsed, quote } from "./configRules";

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

// ---- clusterAdminArns, clusterVerifierArns ----------------------------------------------------------------------

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
export function parseIamPrincipalArns(raw: string, key: string): Parsed<string[]> {
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

/**
 * EKS allows one access entry per principal: a principal listed as a verifier and as an admin would get two, and the
 * second would fail half way through an update. An admin can run verify already.
 */
export function checkVerifiersAreNotAdmins(verifierArns: readonly string[], adminArns: readonly string[]): string[] {
    // As EKS sees it: one principal, whatever the path or the form its ARN is written in.
    return verifierArns.flatMap((arn, i) =>
        adminArns.some((admin) => samePrincipal(admin, arn))
            ? [`clusterVerifierArns[${i}]: ${quote(arn)} is in clusterAdminArns too; EKS allows one access entry per principal, and a cluster admin can run verify already, so remove it from clusterVerifierArns`]
            : []);
}
