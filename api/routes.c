/*
 * Every endpoint: method, path pattern, handler. The OpenAPI document
 * (/v1/openapi.json) describes the same table for clients.
 */
#include "api/routes.h"
#include "api/admin.h"
#include "api/badge.h"
#include "api/benchmarks.h"
#include "api/compare.h"
#include "api/coverage.h"
#include "api/exports.h"
#include "api/feeds.h"
#include "api/git.h"
#include "api/health.h"
#include "api/history.h"
#include "api/indices.h"
#include "api/judgements.h"
#include "api/label.h"
#include "api/log.h"
#include "api/metrics.h"
#include "api/mirrors.h"
#include "api/read.h"
#include "api/registry.h"
#include "api/search.h"
#include "api/submit.h"
#include "api/tlog_tiles.h"

const struct mf_route mf_routes[] = {
    {"GET", "/healthz", mf_h_healthz},
    {"GET", "/readyz", mf_h_readyz},
    {"GET", "/v1/version", mf_h_version},
    {"GET", "/metrics", mf_h_metrics},
    {"GET", "/v1/openapi.json", mf_h_openapi},
    {"GET", "/v1/mirrors", mf_h_mirrors},
    {"GET", "/v1/registry", mf_h_registry},
    {"GET", "/v1/registry/allowed_signers", mf_h_allowed_signers},
    {"POST", "/v1/admin/orgs", mf_h_admin_create_org},
    {"POST", "/v1/admin/orgs/{org}/keys", mf_h_admin_first_key},
    {"POST", "/v1/admin/indices", mf_h_admin_put_index},
    {"GET", "/v1/indices", mf_h_indices_list},
    {"GET", "/v1/indices/{id}", mf_h_index_get},
    {"GET", "/v1/indices/{id}/coverage", mf_h_coverage},
    {"GET", "/v1/compare", mf_h_compare},
    {"GET", "/v1/benchmarks", mf_h_benchmarks_list},
    {"GET", "/v1/benchmarks/{id}", mf_h_benchmark_get},
    {"GET", "/v1/envelopes/{sha256}", mf_h_envelope_get},
    {"GET", "/v1/indices/{id}/export", mf_h_index_export},
    {"POST", "/v1/submissions", mf_h_submit},
    {"GET", "/v1/orgs", mf_h_orgs_list},
    {"GET", "/v1/orgs/{org}", mf_h_org_get},
    {"GET", "/v1/orgs/{org}/keys", mf_h_org_keys},
    {"GET", "/v1/models", mf_h_models_search},
    {"GET", "/v1/models/{org}/{model}", mf_h_model_get},
    {"GET", "/v1/models/{org}/{model}/versions", mf_h_versions_list},
    {"GET", "/v1/models/{org}/{model}/versions/{n}", mf_h_version_get},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/envelope",
     mf_h_version_envelope},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/judgements",
     mf_h_judgements},
    {"GET", "/v1/models/{org}/{model}/evals", mf_h_evals_list},
    {"GET", "/v1/models/{org}/{model}/history", mf_h_history},
    {"GET", "/v1/models/{org}/{model}/diff", mf_h_diff},
    {"GET", "/v1/models/{org}/{model}/label.md", mf_h_label_current_md},
    {"GET", "/v1/models/{org}/{model}/label.json", mf_h_label_current_json},
    {"GET", "/v1/models/{org}/{model}/label.html", mf_h_label_current_html},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/label.md",
     mf_h_label_version_md},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/label.json",
     mf_h_label_version_json},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/label.html",
     mf_h_label_version_html},
    {"GET", "/v1/models/{org}/{model}/card.md", mf_h_hf_card_current},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/card.md",
     mf_h_hf_card_version},
    {"GET", "/v1/models/{org}/{model}/eval_results.yaml",
     mf_h_hf_evals_current},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/eval_results.yaml",
     mf_h_hf_evals_version},
    {"GET", "/v1/models/{org}/{model}/cyclonedx.json", mf_h_cyclonedx_current},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/cyclonedx.json",
     mf_h_cyclonedx_version},
    {"GET", "/v1/models/{org}/{model}/spdx.json", mf_h_spdx_current},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/spdx.json",
     mf_h_spdx_version},
    {"GET", "/v1/models/{org}/{model}/eu-ai-act", mf_h_eu_ai_act_current},
    {"GET", "/v1/models/{org}/{model}/versions/{n}/eu-ai-act",
     mf_h_eu_ai_act_version},
    {"GET", "/v1/log/checkpoint", mf_h_log_checkpoint},
    {"GET", "/v1/log/checkpoints/{size}", mf_h_log_checkpoint_at},
    {"GET", "/v1/log/entries/{index}", mf_h_log_entry},
    {"GET", "/v1/log/entries/{index}/witnessed", mf_h_log_witnessed},
    {"GET", "/v1/log/proof/inclusion", mf_h_log_inclusion},
    {"GET", "/v1/log/proof/consistency", mf_h_log_consistency},
    {"GET", "/tlog/checkpoint", mf_h_tlog_checkpoint},
    {"GET", "/tlog/tile/{path*}", mf_h_tlog_tile},
    {"GET", "/labels.git/{path*}", mf_h_git_file},
    {"GET", "/badge/{org}/{model}.svg", mf_h_badge},
    {"GET", "/v1/feeds/versions.atom", mf_h_feed_versions},
    {"GET", "/v1/orgs/{org}/feed.atom", mf_h_feed_org},
    {"GET", "/v1/models/{org}/{model}/feed.atom", mf_h_feed_model},
};

const size_t mf_routes_count = sizeof(mf_routes) / sizeof(mf_routes[0]);
