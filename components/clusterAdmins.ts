/**
 * Who may use a cluster this program creates: pure decisions over IAM ARNs, for the access entries of its admins and
 * verifiers. EKS gives the identity that creates a cluster an access entry of its own (cluster admin), and allows one
 * access entry per principal, so an entry for that identity would fail with ResourceInUseException.
 */

/** The EKS access policy that grants full control of the cluster. */
export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";

export function clusterAdminPolicyArn(partition: string): string {
    return `arn:${partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`;
}

/** An IAM principal reduced to what identifies it: role and user names are unique in an account, whatever the path. */
interface Principal {
    partition: string;
    account: string;
    kind: "role" | "user";
    name: string;
}

/**
 * The role or user behind an ARN: an IAM role or user ARN (any path), or an STS assumed-role ARN as
 * GetCallerIdentity reports a caller using a role. Undefined for anything else (root, federated users).
 */
export function principalOf(arn: string): Principal | undefined {
    const iam = /^arn:([\w-]+):iam::(\d{12}):(role|user)\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
    if (iam) return { partition: iam[1], account: iam[2], kind: iam[3] as "role" | "user", name: iam[4] };
    const assumed = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
    if (assumed) return { partition: assumed[1], account: assumed[2], kind: "role", name: assumed[3] };
    return undefined;
}

/** Whether two ARNs name the same role or user (an assumed-role session counts as its role). */
export function samePrincipal(a: string, b: string): boolean {
    const [pa, pb] = [principalOf(a), principalOf(b)];
    return pa !== undefined && pb !== undefined && pa.partition === pb.partition && pa.account === pb.account && pa.kind === pb.kind && pa.name === pb.name;
}

/**
 * The ARNs that need an access entry of their own: all but the cluster's creator (`creatorArn`, as STS reported the
 * caller that created it), whom EKS made admin already and would refuse a second entry.
 */
export function withoutCreator(arns: readonly string[], creatorArn: string): string[] {
    return arns.filter((arn) => !samePrincipal(arn, creatorArn));
}

/** A stable, readable resource name for an admin's access entry: kind, name and a hash of the whole ARN. */
export function accessEntryKey(adminArn: string, hash: (text: string) => string): string {
    const p = principalOf(adminArn);
    const readable = p ? `${p.kind}-${p.name}` : "principal";
    return `${readable.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 60)}-${hash(adminArn).slice(0, 8)}`;
}
