/**
 * The IAM documents of the two roles, as pure functions over plain data: who may assume each role (trust policies
 * pinned to the Pulumi organization and this project's stacks, or to the repository and its branch), and what the
 * GitHub Actions role may do. What the deploy role may do is deployPermissions.ts.
 */
import { LAB_PROJECT, LabStack } from "./config";

export const PULUMI_OIDC_HOST = "api.pulumi.com/oidc";
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience configure-aws-credentials asks GitHub for. */
export const GITHUB_AUDIENCE = "sts.amazonaws.com";

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    /** Absent in a trust policy, whose resource is the role itself. */
    Resource?: string | string[];
    Principal?: { Federated: string };
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export function document(statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

// ---- trust -------------------------------------------------------------------------------------------------------

/**
 * `pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<kind>:scope:write` for each lab stack, any
 * operation (update, preview, destroy, refresh, drift detection). Stack names contain no colon, so `stack:dev:` can
 * only be the stack dev. With review stacks, whose generated names are not documented, the subject is every stack of
 * the lab project instead: still one organization and one project.
 */
export function deploymentsSubjects(org: string, stacks: readonly string[], anyStack: boolean): string[] {
    const prefix = `pulumi:deploy:org:${org}:project:${LAB_PROJECT}:stack:`;
    if (anyStack) return [`${prefix}*`];
    return stacks.map((stack) => `${prefix}${stack}:operation:*:scope:write`);
}

/** Pulumi Deployments, through the organization's OIDC tokens, for this project's stacks only. */
export function deployRoleTrust(providerArn: string, org: string, subjects: string[]): PolicyDocument {
    return document([{
        Sid: "PulumiDeploymentsOfTheLabStacks",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
            // The audience is the organization's name, exactly (case-sensitive): never a pattern.
            StringEquals: { [`${PULUMI_OIDC_HOST}:aud`]: org },
            StringLike: { [`${PULUMI_OIDC_HOST}:sub`]: subjects },
        },
    }]);
}

export interface GithubRepository {
    /** owner/name */
    repository: string;
    ownerId: number;
    repositoryId: number;
    branch: string;
    /** A GitHub environment whose jobs may assume the role too; empty for none. */
    environment: string;
}

/**
 * The `sub` claims GitHub issues for jobs of the repository on the branch (and in the environment, if any): the
 * name form `repo:owner/name:...` and the immutable form `repo:owner@<id>/name@<id>:...`, which repositories created
 * since July 2026 (or opted in) use. Exact strings, compared with StringEquals.
 */
export function githubSubjects(r: GithubRepository): string[] {
    const [owner, name] = r.repository.split("/");
    const repos = [`repo:${owner}/${name}`, `repo:${owner}@${r.ownerId}/${name}@${r.repositoryId}`];
    const contexts = [`ref:refs/heads/${r.branch}`, ...(r.environment ? [`environment:${r.environment}`] : [])];
    return repos.flatMap((repo) => contexts.map((context) => `${repo}:${context}`));
}

export function githubActionsRoleTrust(providerArn: string, subjects: string[]): PolicyDocument {
    return document([{
        Sid: "GithubActionsOfTheRepositoryOnItsBranch",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
            StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: subjects },
        },
    }]);
}

// ---- the GitHub Actions role -----------------------------------------------------------------------------------

export interface AccountScope {
    partition: string;
    accountId: string;
    /** The lab stacks (labStacks). */
    stacks: readonly LabStack[];
    /** The review-stack template, when review stacks are on: its review stacks run as the deploy role too. */
    reviewTemplate?: LabStack;
}

/** The GitHub Actions role reads where each lab cluster is (`aws eks update-kubeconfig`); its Kubernetes access is the lab's to grant. */
export function githubActionsRolePermissions(s: AccountScope): PolicyDocument {
    return document([{
        Sid: "FindLabClusters",
        Effect: "Allow",
        Action: ["eks:DescribeCluster"],
        Resource: s.stacks.map(({ region, clusterName }) => `arn:${s.partition}:eks:${region}:${s.accountId}:cluster/${clusterName}`),
    }]);
}
