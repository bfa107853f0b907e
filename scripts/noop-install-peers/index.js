#!/usr/bin/env node
// glob-promise runs `npm-install-peers` after installing; its peers are already our dependencies.
