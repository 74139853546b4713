#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { defineSwitchboard } from './stacks/switchboard';

/**
 * CDK entry point. `cdk synth -c stage=prod` selects the stage; limits and log settings come from
 * context too (see `infra/stacks/settings.ts`).
 */
const app = new App();
defineSwitchboard(app);
app.synth();
