#!/usr/bin/env node
// Entry point of the `ktrdr` binary. Commands are compiled to ../dist and listed explicitly in
// dist/commands.js (see "oclif.commands" in package.json), so no directory scanning happens at start.
'use strict';

const { execute } = require('@oclif/core');

void execute({ dir: __dirname });
