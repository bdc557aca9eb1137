#!/usr/bin/env bash
# Starts the daemons the integration tests need (CI machines have no init system). Each section is
# idempotent, runs its daemons in the background, and waits a bounded time for them to answer.
# Sections export what tests need to find them into /tmp/walt-ci-env (sourced-style KEY=VALUE lines).
set -u
: > /tmp/walt-ci-env
