#!/usr/bin/env bash
# Uploads frontend/dist to the stack's site bucket, invalidates CloudFront and smoke-tests
# the live site. Hashed assets are immutable for a year; index.html (uploaded last, so it
# never points at files not there yet) and unhashed files must be revalidated. Old hashed
# assets stay, so browsers still holding the previous index.html keep working.
#
# Usage: scripts/publish-site.sh STACK_NAME   (AWS credentials and region from the env)
set -euo pipefail

stack=${1:?usage: $0 STACK_NAME}
dist=frontend/dist

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}

bucket=$(output SiteBucketName)
distribution=$(output DistributionId)
site_url=$(output SiteUrl)

# The .br/.gz copies are for the local server; CloudFront compresses by itself.
aws s3 sync "$dist" "s3://$bucket" --exclude index.html --exclude favicon.svg \
  --exclude "*.br" --exclude "*.gz" \
  --cache-control "public, max-age=31536000, immutable"
aws s3 cp "$dist/favicon.svg" "s3://$bucket/favicon.svg" --cache-control no-cache
aws s3 cp "$dist/index.html" "s3://$bucket/index.html" --cache-control no-cache

invalidation=$(aws cloudfront create-invalidation --distribution-id "$distribution" \
  --paths /index.html /favicon.svg --query Invalidation.Id --output text)
aws cloudfront wait invalidation-completed --distribution-id "$distribution" --id "$invalidation"

echo "Smoke-testing $site_url"
curl --fail --silent --show-error --retry 5 --retry-delay 10 --retry-all-errors "$site_url/" \
  | grep -q '<title>Boardwalk</title>'
curl --fail --silent --show-error --retry 5 --retry-delay 10 --retry-all-errors "$site_url/posts/1" \
  | grep -q '<title>Boardwalk</title>'
health=$(curl --fail --silent --show-error --retry 5 --retry-delay 10 --retry-all-errors "$site_url/api/health")
echo "$health"
grep -q '"status":"ok"' <<<"$health"
grep -q '"mode":"aws"' <<<"$health"
# The board's first page reaches DynamoDB over TLS: it proves the function found its CA bundle
# (SSL_CERT_FILE in the template) as well as its table.
curl --fail --silent --show-error --retry 5 --retry-delay 10 --retry-all-errors "$site_url/api/posts?limit=1" \
  | grep -q '^\['

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "site_url=$site_url" >>"$GITHUB_OUTPUT"
fi
echo "Deployed: $site_url"
