#!/usr/bin/env node
// The installed `roster` command runs the compiled CLI (`npm run build` makes it).
import('../dist/cli/main.js');
