/**
 * The deploy role's permissions (deployments/deployPermissions.ts), per kind of lab stack: what each statement grants,
 * on what, under which condition; and, for every statement, that AWS documents each condition key for its action and
 * each resource type it names (tests/deployments/serviceAuthorization.json, from the Service Authorization Reference).
 * A condition key AWS does not evaluate for an action denies the deploy; a resource an action cannot name, too.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { LabStack } from "../../deployments/config";
import { deployRolePermissions, LAB_EC2_CREATES } from "../../deployments/deployPermissions";
import { AccountScope, PolicyStatement } from "../../deployments/iamPolicies";

const ACCOUNT = "123456789012";
const dev: LabStack = { name: "dev", region: "us-west-2", clusterName: "eks-netpol-lab-dev", cluster: "created" };
const prod: LabStack = { name: "prod", region: "eu-west-1", clusterName: "eks-netpol-lab-prod", cluster: "created" };
const team: LabStack = { name: "team", region: "eu-central-1", clusterName: "team-cluster", cluster: "existing" };
const prCreated: LabStack = { name: "pr", region: "us-west-2", clusterName: "eks-netpol-lab-pr", cluster: "created" };
const prExisting: LabStack = { name: "pr", region: "us-west-2", clusterName: "review-cluster", cluster: "existing" };

const scope = (stacks: LabStack[], reviewTemplate?: LabStack): AccountScope => ({ partition: "aws", accountId: ACCOUNT, stacks, reviewTemplate });
const statementsOf = (s: AccountScope) => deployRolePermissions(s).Statement;
const resources = (s: PolicyStatement) => ([] as string[]).concat(s.Resource ?? []);
const find = (statements: PolicyStatement[], sid: string) => statements.find((s) => s.Sid === sid);

// ---- what AWS documents ------------------------------------------------------------------------------------------

interface ServiceAuthorization {
    globalConditionKeys: string[];
    actions: Record<string, { resourceTypes: Record<string, { required: boolean; conditionKeys: string[] }>; conditionKeys: string[] }>;
}
const SAR: ServiceAuthorization = JSON.parse(fs.readFileSync(path.join(__dirname, "serviceAuthorization.json"), "utf8"));

/** `vpc` of `arn:aws:ec2:us-west-2:1:vpc/*`, `log-group` of `arn:aws:logs:...:log-group:/aws/...`; `*` for `*`. */
function resourceType(arn: string): string {
    return arn === "*" ? "*" : arn.split(":").slice(5).join(":").split(/[/:]/)[0];
}

/** `aws:ResourceTag/eks-netpol-lab:stack` as the reference writes it: `aws:ResourceTag/${TagKey}`. */
const documentedForm = (key: string) => key.replace(/^(aws:(?:Request|Resource)Tag)\/.+$/, "$1/${TagKey}");

/**
 * What is wrong with the policy by the reference, one line each: an action it does not know, a resource type an
 * action does not list, a condition key not documented for an (action, resource type) the statement grants, and a
 * required resource type of an action that no statement grants. An action without resource types needs `"*"`.
 */
function undocumented(statements: PolicyStatement[]): string[] {
    const problems: string[] = [];
    const granted = new Set<string>();
    for (const st of statements) {
        const keys = Object.values(st.Condition ?? {}).flatMap((byKey) => Object.keys(byKey)).map(documentedForm);
        for (const action of st.Action.filter((a) => !a.includes("*"))) {
            const documented = SAR.actions[action];
            if (!documented) {
                problems.push(`${st.Sid}: ${action} is not in serviceAuthorization.json`);
                continue;
            }
            const types = Object.keys(documented.resourceTypes);
            const named = [...new Set(resources(st).map(resourceType))];
            // A statement may name several types: each action takes those it lists, and must list one of them.
            const candidates = named.includes("*") ? (types.length > 0 ? types : ["(none)"]) : named.filter((t) => types.includes(t));
            if (candidates.length === 0) problems.push(`${st.Sid}: ${action} names no resource of type ${named.join(", ")} (it names ${types.join(", ") || 'none: use "*"'})`);
            const documentedForAny = (k: string) => SAR.globalConditionKeys.includes(k) || documented.conditionKeys.includes(k) || Object.values(documented.resourceTypes).some((t) => t.conditionKeys.includes(k));
            const unknown = keys.filter((k) => !documentedForAny(k));
            if (unknown.length > 0) problems.push(`${st.Sid}: ${action}: ${unknown.join(", ")} not documented for it`);
            // A key documented for only some of the action's types (ResourceTag for the VPC a CreateSubnet names, not
            // for the new subnet) narrows what the statement grants to those; the coverage check below finds a gap.
            for (const type of candidates) {
                const typeKeys = documented.resourceTypes[type]?.conditionKeys ?? [];
                if (keys.every((k) => SAR.globalConditionKeys.includes(k) || documented.conditionKeys.includes(k) || typeKeys.includes(k))) granted.add(`${action} ${type}`);
            }
        }
    }
    for (const action of new Set(statements.flatMap((s) => s.Action.filter((a) => !a.includes("*"))))) {
        const types = Object.entries(SAR.actions[action]?.resourceTypes ?? {});
        for (const [type] of types.filter(([, t]) => t.required)) if (!granted.has(`${action} ${type}`)) problems.push(`${action}: no statement grants it on its required ${type}`);
        if (types.length === 0 && !granted.has(`${action} (none)`)) problems.push(`${action}: has no resource type, so only "*" grants it`);
    }
    return problems;
}

const KINDS: { name: string; scope: AccountScope }[] = [
    { name: "a stack that creates its cluster", scope: scope([dev]) },
    { name: "stacks in two regions", scope: scope([dev, prod]) },
    { name: "a stack on an existing cluster", scope: scope([team]) },
    { name: "both kinds", scope: scope([dev, team]) },
    { name: "review stacks that create clusters", scope: scope([dev], prCreated) },
    { name: "review stacks on an existing cluster", scope: scope([dev], prExisting) },
];

describe("the deploy role's permissions", () => {
    describe("use only what AWS documents for each action", () => {
        for (const kind of KINDS) it(`for ${kind.name}`, () => assert.deepStrictEqual(undocumented(statementsOf(kind.scope)), []));

        it("and the check finds what it is for: a condition key an action ignores, a resource type an action cannot name", () => {
            const wrong: PolicyStatement[] = [
                { Sid: "ClusterByName", Effect: "Allow", Action: ["eks:CreateCluster"], Resource: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/eks-netpol-lab-dev` },
                { Sid: "DeleteByRequestTag", Effect: "Allow", Action: ["ec2:DeleteVpc"], Resource: `arn:aws:ec2:us-west-2:${ACCOUNT}:vpc/*`, Condition: { StringEquals: { "aws:RequestTag/eks-netpol-lab:stack": "dev" } } },
            ];
            assert.deepStrictEqual(undocumented(wrong), [
                'ClusterByName: eks:CreateCluster names no resource of type cluster (it names none: use "*")',
                "DeleteByRequestTag: ec2:DeleteVpc: aws:RequestTag/${TagKey} not documented for it",
                'eks:CreateCluster: has no resource type, so only "*" grants it',
                "ec2:DeleteVpc: no statement grants it on its required vpc",
            ]);
        });
    });

    describe("for a stack that creates its cluster", () => {
        const statements = statementsOf(scope([dev]));
        const ec2Arns = (type: string) => [`arn:aws:ec2:us-west-2:${ACCOUNT}:${type}/*`];

        it("limit IAM to roles under the lab's path, never another project's lab-* role nor the roles defined here", () => {
            const iam = statements.filter((s) => s.Action.some((a) => a.startsWith("iam:")));
            assert.deepStrictEqual(iam.map((s) => [s.Sid, resources(s)]), [
                ["LabRoles", [`arn:aws:iam::${ACCOUNT}:role/eks-netpol-lab/*`]],
                ["LabRolePolicies", [`arn:aws:iam::${ACCOUNT}:role/eks-netpol-lab/*`]],
                ["PassLabRolesToEks", [`arn:aws:iam::${ACCOUNT}:role/eks-netpol-lab/*`]],
                ["EksServiceLinkedRoles", [`arn:aws:iam::${ACCOUNT}:role/aws-service-role/*`]],
            ]);
            const matches = (role: string) => iam.some((s) => resources(s).some((r) => new RegExp(`^${r.replace(/\*/g, ".*")}$`).test(`arn:aws:iam::${ACCOUNT}:role/${role}`)));
            assert.deepStrictEqual(["eks-netpol-lab/lab-eks-cluster-role-1a2b3c4", "eks-netpol-lab/lab-nodes-role-5d6e7f8"].map(matches), [true, true]);
            assert.deepStrictEqual(["lab-eks-eksRole-role-1a2b3c4", "lab-nodes-role-5d6e7f8", "eks-netpol-lab-deploy", "eks-netpol-lab-github-actions"].map(matches), [false, false, false, false]);
            assert.deepStrictEqual(find(statements, "LabRolePolicies")?.Condition, { ArnEquals: { "iam:PolicyARN": ["AmazonEKSClusterPolicy", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map((p) => `arn:aws:iam::aws:policy/${p}`) } });
            assert.deepStrictEqual(find(statements, "PassLabRolesToEks")?.Condition, { StringEquals: { "iam:PassedToService": "eks.amazonaws.com" } });
        });

        it("create each network resource only tagged for a lab stack, one statement per create naming only what it creates", () => {
            for (const c of LAB_EC2_CREATES) {
                assert.deepStrictEqual(statements.filter((s) => s.Action.includes(c.action) && s.Condition?.StringEquals?.["aws:RequestTag/eks-netpol-lab:stack"]), [{
                    Sid: `CreateTagged${c.sid}`, Effect: "Allow", Action: [c.action], Resource: ec2Arns(c.type),
                    Condition: { StringEquals: { "aws:RequestTag/eks-netpol-lab:stack": ["dev"] } },
                }], c.action);
            }
        });

        it("tag only as part of those creates, so no existing resource can be tagged into scope", () => {
            const tagging = statements.filter((s) => s.Action.includes("ec2:CreateTags"));
            assert.deepStrictEqual(tagging.map((s) => s.Condition), [{ StringEquals: { "ec2:CreateAction": LAB_EC2_CREATES.map((c) => c.action) } }]);
        });

        it("change, attach, associate, replace, release and delete network resources only when they carry a lab stack's tag", () => {
            const ec2 = statements.filter((s) => s.Action.some((a) => /^ec2:(Delete|Modify|Replace|Detach|Disassociate|Release|Associate|Attach|CreateRoute$|DeleteRoute$|CreateLaunchTemplateVersion)/.test(a)));
            assert.deepStrictEqual(ec2.map((s) => [s.Sid, s.Condition]), [["LabTaggedNetwork", { StringEquals: { "aws:ResourceTag/eks-netpol-lab:stack": ["dev"] } }]]);
        });

        it("leave one residual in EC2: the rules of security groups (the VPC's default one carries no lab tag), in the account and region", () => {
            const untagged = statements.filter((s) => s.Action.some((a) => a.startsWith("ec2:")) && !s.Condition);
            assert.deepStrictEqual(untagged, [{
                Sid: "DefaultSecurityGroupRules", Effect: "Allow",
                Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
                Resource: [...ec2Arns("security-group"), ...ec2Arns("security-group-rule")],
            }]);
        });

        it("create the key only tagged, and delete it, grant it to EKS or change its tags only when it carries a lab stack's tag", () => {
            const devTag = (kind: string) => ({ [`aws:${kind}/eks-netpol-lab:stack`]: ["dev"] });
            const keys = [`arn:aws:kms:us-west-2:${ACCOUNT}:key/*`];
            assert.deepStrictEqual(statements.filter((s) => s.Action.some((a) => a.startsWith("kms:"))), [
                { Sid: "CreateTaggedSecretsKey", Effect: "Allow", Action: ["kms:CreateKey"], Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": ["us-west-2"], ...devTag("RequestTag") } } },
                { Sid: "TagSecretsKeyOnCreate", Effect: "Allow", Action: ["kms:TagResource"], Resource: keys, Condition: { StringEquals: devTag("RequestTag") } },
                { Sid: "ReadSecretsKeys", Effect: "Allow", Action: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:EnableKeyRotation"], Resource: keys },
                { Sid: "ManageLabSecretsKeys", Effect: "Allow", Action: ["kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription", "kms:ScheduleKeyDeletion"], Resource: keys, Condition: { StringEquals: devTag("ResourceTag") } },
                { Sid: "GrantLabSecretsKeysToEks", Effect: "Allow", Action: ["kms:CreateGrant"], Resource: keys, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" }, StringEquals: devTag("ResourceTag") } },
            ]);
        });

        it("name the stack's cluster and log group in EKS and CloudWatch Logs; create clusters in the stack's region only", () => {
            assert.deepStrictEqual(resources(find(statements, "LabClusters")!), [
                `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/eks-netpol-lab-dev`,
                `arn:aws:eks:us-west-2:${ACCOUNT}:nodegroup/eks-netpol-lab-dev/*/*`,
                `arn:aws:eks:us-west-2:${ACCOUNT}:addon/eks-netpol-lab-dev/*/*`,
                `arn:aws:eks:us-west-2:${ACCOUNT}:access-entry/eks-netpol-lab-dev/*`,
            ]);
            assert.deepStrictEqual(resources(find(statements, "ControlPlaneLogGroups")!), [
                `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/aws/eks/eks-netpol-lab-dev/cluster`,
                `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/aws/eks/eks-netpol-lab-dev/cluster:*`,
            ]);
            assert.deepStrictEqual(find(statements, "CreateLabClusters"), { Sid: "CreateLabClusters", Effect: "Allow", Action: ["eks:CreateCluster"], Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": ["us-west-2"] } } });
        });
    });

    describe("for a stack on an existing cluster", () => {
        it("grant only reading that cluster and resizing its node groups, and finding their Auto Scaling groups", () => {
            assert.deepStrictEqual(statementsOf(scope([team])), [
                { Sid: "NodeGroupLookups", Effect: "Allow", Action: ["autoscaling:DescribeAutoScalingGroups"], Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": ["eu-central-1"] } } },
                {
                    Sid: "ExistingClusterNodeGroups", Effect: "Allow",
                    Action: ["eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup", "eks:UpdateNodegroupConfig"],
                    Resource: [`arn:aws:eks:eu-central-1:${ACCOUNT}:cluster/team-cluster`, `arn:aws:eks:eu-central-1:${ACCOUNT}:nodegroup/team-cluster/*/*`],
                },
            ]);
        });

        it("beside a stack that creates its cluster: nothing of the network, roles, key, logs or cluster lifecycle reaches its cluster or region", () => {
            const statements = statementsOf(scope([dev, team]));
            const reaching = statements.filter((s) => s.Sid !== "ExistingClusterNodeGroups" && s.Sid !== "NodeGroupLookups" && JSON.stringify(s).match(/team|eu-central-1/));
            assert.deepStrictEqual(reaching, []);
            assert.deepStrictEqual(find(statements, "NodeGroupLookups")?.Condition, { StringEquals: { "aws:RequestedRegion": ["us-west-2", "eu-central-1"] } });
            assert.deepStrictEqual(find(statements, "LabTaggedNetwork")?.Condition, { StringEquals: { "aws:ResourceTag/eks-netpol-lab:stack": ["dev"] } });
        });
    });

    describe("with review stacks (generated stack names)", () => {
        it("name every eks-netpol-lab-* cluster and log group, in the lab's regions, and accept any value of the lab's tag", () => {
            const statements = statementsOf(scope([prod], prCreated));
            assert.deepStrictEqual(resources(find(statements, "LabClusters")!).filter((r) => r.includes(":cluster/")), [
                `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/eks-netpol-lab-*`,
                `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/eks-netpol-lab-*`,
            ]);
            assert.deepStrictEqual(resources(find(statements, "ControlPlaneLogGroups")!).filter((r) => !r.endsWith(":*")), [
                `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/eks/eks-netpol-lab-*/cluster`,
                `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/aws/eks/eks-netpol-lab-*/cluster`,
            ]);
            assert.deepStrictEqual(find(statements, "LabTaggedNetwork")?.Condition, { StringLike: { "aws:ResourceTag/eks-netpol-lab:stack": "*" } });
            assert.deepStrictEqual(find(statements, "CreateTaggedSecretsKey")?.Condition, { StringEquals: { "aws:RequestedRegion": ["eu-west-1", "us-west-2"] }, StringLike: { "aws:RequestTag/eks-netpol-lab:stack": "*" } });
        });

        it("on an existing cluster: only that cluster's node groups, as for any stack on it", () => {
            const statements = statementsOf(scope([dev], prExisting));
            assert.deepStrictEqual(resources(find(statements, "ExistingClusterNodeGroups")!), [`arn:aws:eks:us-west-2:${ACCOUNT}:cluster/review-cluster`, `arn:aws:eks:us-west-2:${ACCOUNT}:nodegroup/review-cluster/*/*`]);
            assert.deepStrictEqual(find(statements, "LabTaggedNetwork")?.Condition, { StringEquals: { "aws:ResourceTag/eks-netpol-lab:stack": ["dev"] } });
        });
    });

    describe("for every kind of stack", () => {
        for (const kind of KINDS) {
            it(`grant no wildcard action, and "*" only to what AWS scopes to no resource, in the lab's regions: ${kind.name}`, () => {
                const statements = statementsOf(kind.scope);
                assert.deepStrictEqual(statements.flatMap((s) => s.Action.filter((a) => a === "*" || /^[a-z0-9-]+:\*$/.test(a))), []);
                for (const s of statements.filter((st) => resources(st).includes("*"))) {
                    assert.ok(s.Action.every((a) => /^[a-z0-9-]+:(Describe|List|Get)/.test(a) || a === "kms:CreateKey" || a === "eks:CreateCluster"), s.Sid);
                    assert.ok(s.Condition?.StringEquals?.["aws:RequestedRegion"], s.Sid);
                }
            });

            it(`fit in an inline role policy (IAM allows 10,240 characters): ${kind.name}`, () => {
                assert.ok(JSON.stringify(deployRolePermissions(kind.scope)).length < 10240);
            });
        }
    });
});
