// A TypeScript program that builds the whole web stack with one WebApp component.
// `pulumi package add ../../provider` generates the @pulumi/webapp SDK (sdks/webapp) from the
// plugin's schema and adds it to package.json; then `npm install` and `pulumi preview`.
// tests/test_provider_examples.py type-checks this file against declarations derived from the
// same schema (the real generated SDK needs the Pulumi CLI, which the tests do not have).
import * as webapp from "@pulumi/webapp";

const shop = new webapp.WebApp("shop", {
    region: "eu-west-1",
    profile: "prod",
    protect: true,
    tags: { team: "shop" },
    image: { tag: "v1.0.0" },
    network: { azCount: 3, natStrategy: "onePerAz" },
    service: {
        port: 80,
        healthCheck: { enabled: false },
        environment: { APP_ENV: "production" },
        minCount: 2,
        maxCount: 6,
    },
    workers: {
        mailer: { command: ["python", "-m", "mailer"] },
    },
    database: { engineMode: "aurora-serverless-v2", maxCapacity: 4 },
    cache: { mode: "elasticache" },
    iam: { permissionsBoundary: "none" },
    monitoring: { emails: ["ops@example.com"], budget: { monthlyLimitUsd: 400 } },
});

export const siteUrl = shop.siteUrl;
export const apiUrl = shop.apiUrl;
export const databaseAddress = shop.databaseAddress;
export const workerServiceNames = shop.workerServiceNames;
