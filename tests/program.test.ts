/**
 * The real index.ts under Pulumi's mocks: what `pulumi up` would register, with which inputs and options.
 * Remote components (eks.Cluster, eks.ManagedNodeGroup) register as one resource each with no children, so their
 * tests assert on the inputs this program passes.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { findResource, ProgramRun, promiseOf, resourcesOfType, runProgram, stackConfig, ZONES } from "./mocks";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    natGateway: "aws:ec2/natGateway:NatGateway",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    kmsKey: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    cluster: "eks:index:Cluster",
    nodeGroup: "eks:index:ManagedNodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    role: "aws:iam/role:Role",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    k8sProvider: "pulumi:providers:kubernetes",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
};

const idsOf = (run: ProgramRun, type: string, prefix: string) =>
    resourcesOfType(run, type).filter((r) => r.name.startsWith(prefix)).map((r) => `${r.name}-id`).sort();

describe("program: default stack", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram();
        assert.strictEqual(run.error, undefined);
    });

    describe("layout", () => {
        it("gives every resource a parent: only the components sit at the top", () => {
            const topLevel = run.resources.filter((r) => r.options.parent === "(stack)");
            assert.deepStrictEqual(topLevel.map((r) => `${r.type} ${r.name}`).sort(), [
                "eks-netpol-lab:infra:Cluster lab",
                "eks-netpol-lab:infra:Network lab",
                "eks-netpol-lab:infra:NodeGroup lab-nodes",
                "eks-netpol-lab:k8s:Calico calico",
                "eks-netpol-lab:k8s:Demo namespaces",
                "eks-netpol-lab:k8s:Demo stars",
                "pulumi-nodejs:dynamic/eks-netpol-lab:NodeRecycler calico-node-recycler",
                "pulumi-nodejs:dynamic/eks-netpol-lab:PolicyEngineGuard policy-engine",
            ]);
            assert.deepStrictEqual(run.resources.filter((r) => r.options.parent === "(unknown)").map((r) => r.name), []);
        });

        it("names every child after its component", () => {
            for (const r of run.resources) {
                if (r.options.parent === "(stack)") continue;
                assert.ok(r.name.startsWith(`${r.options.parent}-`), `${r.type} ${r.name} is not named after its parent ${r.options.parent}`);
            }
        });
    });

    describe("network", () => {
        it("builds one VPC with DNS hostnames, and closes its default security group", () => {
            assert.deepStrictEqual(findResource(run, T.vpc, "lab-vpc").inputs, {
                cidrBlock: "10.0.0.0/16",
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: { Name: "lab-vpc", "eks-netpol-lab:stack": "dev" },
            });
            const sg = findResource(run, T.defaultSg, "lab-default-sg").inputs;
            assert.strictEqual(sg.vpcId, "lab-vpc-id");
            // AWS's own group, adopted: tagging it would put something the lab did not create in its IAM scope.
            assert.strictEqual(sg.tags, undefined);
            assert.strictEqual(sg.ingress, undefined);
            assert.strictEqual(sg.egress, undefined);
        });

        it("tags every AWS resource it creates that takes tags with the stack, which the Deployments role is scoped to", () => {
            const taggable = run.resources.filter((r) => r.type.startsWith("aws:") && r.inputs.tags !== undefined);
            assert.deepStrictEqual(taggable.filter((r) => r.inputs.tags["eks-netpol-lab:stack"] !== "dev").map((r) => r.name), []);
            const types = new Set(taggable.map((r) => r.type));
            for (const type of [T.vpc, T.subnet, T.routeTable, T.natGateway, "aws:ec2/eip:Eip", "aws:ec2/internetGateway:InternetGateway", T.launchTemplate, T.kmsKey]) {
                assert.ok(types.has(type), `${type} is tagged`);
            }
        });

        it("puts a public and a private subnet in each of two distinct zones", () => {
            const subnets = resourcesOfType(run, T.subnet).map((s) => [s.name, s.inputs.availabilityZone, s.inputs.cidrBlock]);
            assert.deepStrictEqual(subnets.sort(), [
                ["lab-private-0", ZONES[0], "10.0.0.0/18"],
                ["lab-private-1", ZONES[1], "10.0.64.0/18"],
                ["lab-public-0", ZONES[0], "10.0.192.0/24"],
                ["lab-public-1", ZONES[1], "10.0.193.0/24"],
            ]);
        });

        it("gives no public addresses in public subnets, and tags subnets for load balancer discovery", () => {
            for (const s of resourcesOfType(run, T.subnet)) {
                const isPublic = s.name.includes("public");
                assert.strictEqual(s.inputs.mapPublicIpOnLaunch, isPublic ? false : undefined, s.name);
                assert.strictEqual(s.inputs.tags[isPublic ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"], "1", s.name);
            }
        });

        it("routes public subnets to the internet gateway and private subnets through one NAT gateway in a public subnet", () => {
            assert.deepStrictEqual(findResource(run, T.routeTable, "lab-public-rt").inputs.routes, [{ cidrBlock: "0.0.0.0/0", gatewayId: "lab-igw-id" }]);
            assert.deepStrictEqual(findResource(run, T.routeTable, "lab-private-rt").inputs.routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: "lab-nat-id" }]);
            assert.strictEqual(findResource(run, T.natGateway, "lab-nat").inputs.subnetId, "lab-public-0-id");
            const associations = resourcesOfType(run, T.association).map((a) => `${a.inputs.subnetId} -> ${a.inputs.routeTableId}`);
            assert.deepStrictEqual(associations.sort(), [
                "lab-private-0-id -> lab-private-rt-id",
                "lab-private-1-id -> lab-private-rt-id",
                "lab-public-0-id -> lab-public-rt-id",
                "lab-public-1-id -> lab-public-rt-id",
            ]);
        });

        it("looks up only available, non-opt-in zones that can host EKS", () => {
            assert.deepStrictEqual(run.invokes.filter((i) => i.token.includes("getAvailabilityZones")), [{
                token: "aws:index/getAvailabilityZones:getAvailabilityZones",
                inputs: {
                    state: "available",
                    excludeZoneIds: ["use1-az3", "usw1-az2", "cac1-az3"],
                    filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
                },
            }]);
        });
    });

    describe("cluster", () => {
        it("creates the EKS cluster with access entries, all control-plane logs, encrypted Secrets and a limited public endpoint", () => {
            const { serviceRole, ...inputs } = findResource(run, T.cluster, "lab-eks").inputs;
            assert.strictEqual(serviceRole.__name, "lab-eks-cluster-role", "the control plane's role is ours, under the lab's IAM path");
            assert.deepStrictEqual(inputs, {
                name: "eks-netpol-lab-dev",
                version: "1.35",
                vpcId: "lab-vpc-id",
                publicSubnetIds: idsOf(run, T.subnet, "lab-public"),
                privateSubnetIds: idsOf(run, T.subnet, "lab-private"),
                skipDefaultNodeGroup: true,
                // Managed node groups use the security group EKS makes; pulumi-eks's own would go unused.
                skipDefaultSecurityGroups: true,
                // Extended support costs six times as much; a lab follows standard support.
                upgradePolicy: { supportType: "STANDARD" },
                authenticationMode: "API",
                enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                encryptionConfigKeyArn: "arn:aws:kms:us-west-2:123456789012:key/lab-secrets",
                endpointPublicAccess: true,
                endpointPrivateAccess: true,
                publicAccessCidrs: ["0.0.0.0/0"],
                // Calico enforces policy; the VPC CNI's own agent stays off, and annotates pod IPs for Calico.
                // (The SDK adds its OVERWRITE defaults for add-on conflicts.)
                vpcCniOptions: {
                    enableNetworkPolicy: false,
                    configurationValues: { env: { ANNOTATE_POD_IP: "true" } },
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                },
            });
        });

        it("encrypts Secrets with a dedicated, rotating KMS key", () => {
            const key = findResource(run, T.kmsKey, "lab-secrets").inputs;
            assert.strictEqual(key.enableKeyRotation, true);
            assert.strictEqual(key.deletionWindowInDays, 7);
            assert.strictEqual(resourcesOfType(run, T.kmsKey).length, 1);
        });

        it("owns the control-plane log group, with a retention, created before the cluster", () => {
            assert.deepStrictEqual(findResource(run, T.logGroup, "lab-control-plane-logs").inputs, {
                name: "/aws/eks/eks-netpol-lab-dev/cluster",
                retentionInDays: 7,
            });
            assert.deepStrictEqual(findResource(run, T.cluster, "lab-eks").options.dependsOn, ["lab-control-plane-logs", "lab-eks-cluster-policy"]);
        });

        it("waits for the policy-engine guard before touching the cluster (its add-on holds the VPC CNI's policy agent)", () => {
            assert.deepStrictEqual(findResource(run, "eks-netpol-lab:infra:Cluster", "lab").options.dependsOn, ["policy-engine"]);
        });

        it("records who created the cluster, against the cluster's creation time, and makes no access entries by default", () => {
            const creator = findResource(run, "pulumi-nodejs:dynamic/eks-netpol-lab:ClusterCreator", "lab-creator");
            assert.deepStrictEqual(creator.inputs.callerArn, "arn:aws:sts::123456789012:assumed-role/lab-admin/alice");
            assert.deepStrictEqual(creator.inputs.clusterCreatedAt, "2026-12-01T09:00:00Z");
            assert.deepStrictEqual(resourcesOfType(run, T.accessEntry), []);
        });
    });

    describe("node group", () => {
        it("runs AL2023 managed nodes in the private subnets with the configured types and sizes, and no SSH", () => {
            const inputs = findResource(run, T.nodeGroup, "lab-nodes-mng").inputs;
            assert.deepStrictEqual(inputs.subnetIds, idsOf(run, T.subnet, "lab-private"));
            assert.deepStrictEqual(inputs.instanceTypes, ["t3.medium"]);
            assert.strictEqual(inputs.amiType, "AL2023_x86_64_STANDARD");
            assert.deepStrictEqual(inputs.scalingConfig, { desiredSize: 2, minSize: 1, maxSize: 3 });
            assert.deepStrictEqual(inputs.launchTemplate, { id: "lab-nodes-launch-template-id", version: "1" });
            assert.strictEqual(inputs.remoteAccess, undefined);
        });

        it("runs the control plane's Kubernetes version, so raising kubernetesVersion upgrades the nodes too", () => {
            assert.strictEqual(findResource(run, T.nodeGroup, "lab-nodes-mng").inputs.version, "1.35");
        });

        it("requires IMDSv2 with a hop limit of 1, and encrypts the root volume", () => {
            const template = findResource(run, T.launchTemplate, "lab-nodes-launch-template").inputs;
            assert.deepStrictEqual(template.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
            assert.deepStrictEqual(template.blockDeviceMappings, [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            }]);
            assert.strictEqual(template.keyName, undefined);
        });

        it("gives the node role exactly the three AWS worker policies, the control plane's the cluster policy, and nothing else", () => {
            const role = findResource(run, T.role, "lab-nodes-role").inputs;
            assert.deepStrictEqual(JSON.parse(role.assumeRolePolicy).Statement, [
                { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
            const cluster = findResource(run, T.role, "lab-eks-cluster-role").inputs;
            assert.deepStrictEqual(JSON.parse(cluster.assumeRolePolicy).Statement, [
                { Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
            const attachments = resourcesOfType(run, T.attachment).map((a) => `${a.inputs.role} ${a.inputs.policyArn}`);
            assert.deepStrictEqual(attachments.sort(), [
                "lab-eks-cluster-role arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
                "lab-nodes-role arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
                "lab-nodes-role arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                "lab-nodes-role arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
            ]);
            const otherIam = run.resources.filter((r) => r.type.startsWith("aws:iam/") && r.type !== T.role && r.type !== T.attachment);
            assert.deepStrictEqual(otherIam.map((r) => r.type), []);
            // Both under the lab's path: the only roles the Deployments role may manage (deployments/iamPolicies.ts).
            assert.deepStrictEqual(resourcesOfType(run, T.role).map((r) => [r.name, r.inputs.path]).sort(), [["lab-eks-cluster-role", "/eks-netpol-lab/"], ["lab-nodes-role", "/eks-netpol-lab/"]]);
        });

        it("waits for the policy attachments before creating nodes", () => {
            assert.deepStrictEqual(findResource(run, T.nodeGroup, "lab-nodes-mng").options.dependsOn.sort(), [
                "lab-nodes-AmazonEC2ContainerRegistryReadOnly",
                "lab-nodes-AmazonEKSWorkerNodePolicy",
                "lab-nodes-AmazonEKS_CNI_Policy",
            ]);
        });
    });

    describe("kubernetes access", () => {
        it("builds exactly one Kubernetes provider, from the secret kubeconfig", async () => {
            const providers = resourcesOfType(run, T.k8sProvider);
            assert.deepStrictEqual(providers.map((p) => p.name), ["lab-k8s"]);
            assert.strictEqual(providers[0].inputs.kubeconfig[pulumi.runtime.specialSigKey], pulumi.runtime.specialSecretSig);
            assert.strictEqual(providers[0].inputs.kubeconfig.value, await promiseOf(run.exports!.kubeconfig));
        });

        it("exports the kubeconfig as a secret that runs `aws eks get-token` with the region and no profile", async () => {
            assert.strictEqual(await pulumi.isSecret(run.exports!.kubeconfig), true);
            const kubeconfig = JSON.parse(await promiseOf<string>(run.exports!.kubeconfig));
            assert.strictEqual(kubeconfig.clusters[0].cluster.server, "https://eks-netpol-lab-dev.gr7.us-west-2.eks.amazonaws.com");
            assert.strictEqual(kubeconfig.clusters[0].cluster["certificate-authority-data"], "Q0EtREFUQQ==");
            assert.deepStrictEqual(kubeconfig.users[0].user.exec.args, [
                "--region", "us-west-2", "eks", "get-token", "--cluster-name", "eks-netpol-lab-dev", "--output", "json",
            ]);
            assert.strictEqual(kubeconfig.users[0].user.exec.env, undefined);
        });
    });

    describe("outputs", () => {
        it("exports exactly the documented outputs, with their values", async () => {
            const values: Record<string, unknown> = {};
            for (const [name, value] of Object.entries(run.exports!)) {
                // Undefined values are not stack outputs.
                if (value !== undefined) values[name] = pulumi.Output.isInstance(value) ? await promiseOf(value) : value;
            }
            delete values.kubeconfig; // checked above
            assert.deepStrictEqual(values, {
                clusterName: "eks-netpol-lab-dev",
                region: "us-west-2",
                writeKubeconfigCommand: "aws eks update-kubeconfig --region us-west-2 --name eks-netpol-lab-dev",
                nodeGroupName: "lab-nodes-mng-ng",
                // Read through nodeGroup.resources, not the Output member `resources` that shadows it.
                nodeGroupAsgName: "eks-lab-nodes-mng-asg",
                nodeGroupNames: ["lab-nodes-mng-ng"],
                policyEngine: "calico",
                stage: "open",
                managementUiCommand: "kubectl port-forward service/management-ui -n management-ui 9001",
                flowLogUiCommand: "kubectl port-forward -n calico-system service/whisker 8081:8081",
                clusterCreatorArn: "arn:aws:sts::123456789012:assumed-role/lab-admin/alice",
            });
        });
    });
});

describe("program: stack config flows into the resources", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(stackConfig({
            "aws:region": "eu-central-1",
            kubernetesVersion: "1.36",
            nodeInstanceTypes: '["m7g.large","c7g.large"]',
            nodeDesired: "0",
            nodeMin: "0",
            nodeMax: "4",
            clusterEndpointPublicAccessCidrs: '["203.0.113.0/24"]',
        }));
        assert.strictEqual(run.error, undefined);
    });

    it("sizes and types the node group, on the Arm AMI for Graviton types", () => {
        const inputs = findResource(run, T.nodeGroup, "lab-nodes-mng").inputs;
        assert.deepStrictEqual(inputs.instanceTypes, ["m7g.large", "c7g.large"]);
        assert.strictEqual(inputs.amiType, "AL2023_ARM_64_STANDARD");
        assert.deepStrictEqual(inputs.scalingConfig, { desiredSize: 0, minSize: 0, maxSize: 4 });
    });

    it("sets the cluster's and the nodes' version and narrows the public endpoint", () => {
        const inputs = findResource(run, T.cluster, "lab-eks").inputs;
        assert.strictEqual(inputs.version, "1.36");
        assert.strictEqual(findResource(run, T.nodeGroup, "lab-nodes-mng").inputs.version, "1.36");
        assert.deepStrictEqual(inputs.publicAccessCidrs, ["203.0.113.0/24"]);
    });

    it("writes the stack's region into the kubeconfig and outputs", async () => {
        const kubeconfig = JSON.parse(await promiseOf<string>(run.exports!.kubeconfig));
        assert.deepStrictEqual(kubeconfig.users[0].user.exec.args.slice(0, 2), ["--region", "eu-central-1"]);
        assert.strictEqual(run.exports!.region, "eu-central-1");
    });

    it("uses the partition of the region in managed-policy ARNs", async () => {
        const china = await runProgram(stackConfig({ "aws:region": "cn-north-1" }));
        const arns = resourcesOfType(china, T.attachment).map((a) => a.inputs.policyArn);
        assert.deepStrictEqual(arns.sort(), [
            "arn:aws-cn:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws-cn:iam::aws:policy/AmazonEKSClusterPolicy",
            "arn:aws-cn:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy",
        ]);
    });
});

describe("program: cluster admins (clusterAdminArns)", () => {
    const ADMINS = ["arn:aws:iam::123456789012:role/ci/deployer", "arn:aws:iam::123456789012:user/bob"];
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(stackConfig({ clusterAdminArns: JSON.stringify(ADMINS) }));
        assert.strictEqual(run.error, undefined);
    });

    it("gives each listed role or user an access entry with cluster-wide AmazonEKSClusterAdminPolicy", () => {
        const entries = resourcesOfType(run, T.accessEntry);
        assert.deepStrictEqual(entries.map((e) => e.inputs), ADMINS.map((principalArn) => ({ clusterName: "eks-netpol-lab-dev", principalArn, type: "STANDARD" })));
        const policies = resourcesOfType(run, T.accessPolicy);
        assert.deepStrictEqual(policies.map((p) => p.inputs), ADMINS.map((principalArn) => ({
            clusterName: "eks-netpol-lab-dev",
            principalArn,
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            accessScope: { type: "cluster" },
        })));
    });

    it("names entries by principal, stable when the list is reordered", async () => {
        const names = resourcesOfType(run, T.accessEntry).map((e) => e.name);
        assert.match(names[0], /^lab-admin-role-deployer-[0-9a-f]{8}$/);
        assert.match(names[1], /^lab-admin-user-bob-[0-9a-f]{8}$/);
        const reordered = await runProgram(stackConfig({ clusterAdminArns: JSON.stringify([...ADMINS].reverse()) }));
        assert.deepStrictEqual(resourcesOfType(reordered, T.accessEntry).map((e) => e.name).sort(), [...names].sort());
    });

    it("skips the principal that created the cluster (EKS made it admin, and allows no second entry), and says who it is", async () => {
        // The mocks' caller, who creates the cluster here, is a session of the role lab-admin.
        const withCreator = await runProgram(stackConfig({ clusterAdminArns: JSON.stringify([...ADMINS, "arn:aws:iam::123456789012:role/lab-admin"]) }));
        assert.strictEqual(withCreator.error, undefined);
        assert.deepStrictEqual(resourcesOfType(withCreator, T.accessEntry).map((e) => e.inputs.principalArn), ADMINS);
        assert.strictEqual(await promiseOf(withCreator.exports!.clusterCreatorArn), "arn:aws:sts::123456789012:assumed-role/lab-admin/alice");
    });
});

describe("program: an AWS profile in stack config (aws:profile)", () => {
    it("is used by the kubeconfig's `aws eks get-token` and by the kubeconfig command", async () => {
        const run = await runProgram(stackConfig({ "aws:profile": "lab" }));
        assert.strictEqual(run.error, undefined);
        const kubeconfig = JSON.parse(await promiseOf<string>(run.exports!.kubeconfig));
        assert.deepStrictEqual(kubeconfig.users[0].user.exec.args.slice(-2), ["--profile", "lab"]);
        assert.strictEqual(await promiseOf(run.exports!.writeKubeconfigCommand), "aws eks update-kubeconfig --region us-west-2 --name eks-netpol-lab-dev --profile lab");
    });

    it("is used by the dynamic providers' AWS calls and cluster tokens, which otherwise run with the default credentials", async () => {
        const run = await runProgram(stackConfig({ "aws:profile": "lab" }));
        assert.strictEqual(findResource(run, "pulumi-nodejs:dynamic/eks-netpol-lab:NodeRecycler", "calico-node-recycler").inputs.profile, "lab");
        assert.strictEqual(findResource(run, "pulumi-nodejs:dynamic/eks-netpol-lab:CalicoCrdCleanup", "calico-crd-cleanup").inputs.profile, "lab");
        const plain = await runProgram(stackConfig());
        assert.strictEqual(findResource(plain, "pulumi-nodejs:dynamic/eks-netpol-lab:NodeRecycler", "calico-node-recycler").inputs.profile, undefined);
    });
});

describe("program: invalid stack config", () => {
    it("registers nothing and looks nothing up, and says what is wrong", async () => {
        const run = await runProgram(stackConfig({ nodeMin: "4", nodeInstanceTypes: '["t3.medium","m7g.large"]' }));
        assert.strictEqual(run.error?.name, "SettingsError");
        assert.strictEqual(run.error?.message, [
            "Invalid stack configuration (2 problems):",
            '  - nodeInstanceTypes: ["t3.medium","m7g.large"] mixes x86_64 (t3.medium) and arm64 (m7g.large); a node group runs one CPU architecture, so list only x86_64 or only arm64 (Graviton) types',
            "  - nodeMin: 4 is greater than nodeDesired: 2; need 0 <= nodeMin <= nodeDesired <= nodeMax",
            "Fix each with `npm run pulumi -- config set <key> <value>` (lists: `npm run pulumi -- config set --path '<key>[0]' <value>`), then run again.",
        ].join("\n"));
        assert.deepStrictEqual(run.resources.map((r) => r.type), []);
        assert.deepStrictEqual(run.invokes, []);
    });

    it("is a RunError, so `pulumi up` prints the message without a stack trace", async () => {
        const run = await runProgram(stackConfig({ nodeMax: "0" }));
        assert.ok(pulumi.RunError.isInstance(run.error), `expected a RunError, got ${run.error}`);
    });
});
