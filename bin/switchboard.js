#!/usr/bin/env node
'use strict';
// The operator CLI is TypeScript like the rest of the project; tsx compiles it on the fly so the
// CLI always runs the checked-out service code, with no build step to forget.
require('tsx/cjs');
// stderr carries the JSON error of a failed command; the SDK's notice about future Node versions is
// for whoever maintains the runtime, not for the operator, and would make stderr unparseable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('../infra/cli/main.ts');
