#!/usr/bin/env node
'use strict';
// The published entry point: registers tsx so the TypeScript CLI runs without a build step.
require('tsx/cjs');
require('./icefloe.ts');
