#!/bin/sh
# Stands in for `aws --region R eks get-token --cluster-name NAME --output json` in the kubeconfigs of the verify tests:
# prints an ExecCredential with the token tests/support/fakeKubeApi.ts accepts, for the cluster it was asked about.
case " $* " in *" eks get-token "*) ;; *) echo "fake aws: only eks get-token, not: $*" >&2; exit 2 ;; esac
cat <<JSON
{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"2099-01-01T00:00:00Z","token":"k8s-aws-v1.fake-token-for-verify"}}
JSON
