// The session variables Vitess knows, by how vtgate plans a SET of each: copied from Vitess
// go/vt/sysvars/sysvars.go (https://github.com/vitessio/vitess/blob/main/go/vt/sysvars/sysvars.go).

/**
 * `vitess`: VitessAware, kept in the vtgate session and never sent to MySQL; `readonly`: ReadOnly (VT03010);
 * `ignored`: IgnoreThese (accepted, not applied); `unsupported`: NotSupported (VT12001); `reserved`:
 * UseReservedConn (applied on a reserved connection); `checked`: CheckAndIgnore (accepted, applied only if equal).
 * Names Vitess does not list fail with VT05006 (go/vt/vtgate/planbuilder/set.go, sysvarPlanningFuncs.Get).
 */
export type SysvarClass = 'vitess' | 'readonly' | 'ignored' | 'unsupported' | 'reserved' | 'checked';

const LISTS: Record<SysvarClass, string> = {
  vitess:
    'autocommit client_found_rows skip_query_plan_cache tx_read_only transaction_read_only sql_select_limit ' +
    'transaction_mode ddl_strategy workload charset names session_uuid migration_context enable_system_settings ' +
    'read_after_write_gtid read_after_write_timeout session_track_gtids query_timeout transaction_timeout',
  readonly: 'socket version version_comment',
  ignored:
    'big_tables bulk_insert_buffer_size debug default_storage_engine default_tmp_storage_engine innodb_strict_mode ' +
    'innodb_support_xa innodb_table_locks innodb_tmpdir join_buffer_size keep_files_on_create lc_messages ' +
    'long_query_time low_priority_updates max_delayed_threads max_insert_delayed_threads multi_range_count ' +
    'net_buffer_length new query_cache_type query_cache_wlock_invalidate query_prealloc_size sql_buffer_result ' +
    'transaction_alloc_block_size wait_timeout',
  unsupported:
    'audit_log_read_buffer_size auto_increment_increment auto_increment_offset binlog_direct_non_transactional_updates ' +
    'binlog_row_image binlog_rows_query_log_events innodb_ft_enable_stopword innodb_ft_user_stopword_table ' +
    'max_points_in_geometry max_sp_recursion_depth myisam_repair_threads myisam_sort_buffer_size myisam_stats_method ' +
    'ndb_allow_copying_alter_table ndb_autoincrement_prefetch_sz ndb_blob_read_batch_bytes ndb_blob_write_batch_bytes ' +
    'ndb_deferred_constraints ndb_force_send ndb_fully_replicated ndb_index_stat_enable ndb_index_stat_option ' +
    'ndb_join_pushdown ndb_log_bin ndb_log_exclusive_reads ndb_row_checksum ndb_use_exact_count ndb_use_transactions ' +
    'ndbinfo_max_bytes ndbinfo_max_rows ndbinfo_show_hidden ndbinfo_table_prefix old_alter_table preload_buffer_size ' +
    'rbr_exec_mode sql_log_off thread_pool_high_priority_connection thread_pool_prio_kickup_timer ' +
    'transaction_write_set_extraction',
  reserved:
    'default_week_format end_markers_in_json eq_range_index_dive_limit explicit_defaults_for_timestamp ' +
    'foreign_key_checks group_concat_max_len information_schema_stats_expiry innodb_lock_wait_timeout ' +
    'max_heap_table_size max_seeks_for_key max_tmp_tables min_examined_row_limit old_passwords optimizer_prune_level ' +
    'optimizer_search_depth optimizer_switch optimizer_trace optimizer_trace_features optimizer_trace_limit ' +
    'optimizer_trace_max_mem_size optimizer_trace_offset parser_max_mem_size profiling profiling_history_size ' +
    'query_alloc_block_size range_alloc_block_size range_optimizer_max_mem_size read_buffer_size ' +
    'read_rnd_buffer_size show_create_table_verbosity show_old_temporals sort_buffer_size sql_big_selects sql_mode ' +
    'sql_notes sql_quote_show_create sql_safe_updates sql_warnings time_zone tmp_table_size transaction_isolation ' +
    'transaction_prealloc_size tx_isolation unique_checks updatable_views_with_limit',
  checked:
    'binlog_format block_encryption_mode character_set_client character_set_connection character_set_database ' +
    'character_set_filesystem character_set_results character_set_server collation_connection collation_database ' +
    'collation_server completion_type div_precision_increment interactive_timeout lc_time_names lock_wait_timeout ' +
    'max_allowed_packet max_error_count max_execution_time max_join_size max_length_for_sort_data max_sort_length ' +
    'max_user_connections net_read_timeout net_retry_count net_write_timeout session_track_schema ' +
    'session_track_state_change session_track_system_variables session_track_transaction_info sql_auto_is_null ' +
    'version_tokens_session',
};

const CLASSES = new Map<string, SysvarClass>(
  (Object.keys(LISTS) as SysvarClass[]).flatMap((cls) => LISTS[cls].split(' ').map((name) => [name, cls] as const)),
);

/** How Vitess plans `SET SESSION <name> = ...`, or undefined for a name it does not know. */
export function sysvarClass(name: string): SysvarClass | undefined {
  return CLASSES.get(name.toLowerCase());
}

/**
 * VitessAware variables MariaDB also has and the gateway therefore forwards, so the connection behaves as the
 * client asked (vtgate applies these itself); every other VitessAware variable only changes vtgate state and is
 * answered locally as a no-op, like IgnoreThese.
 */
const FORWARDED_VITESS_AWARE = new Set(['autocommit', 'sql_select_limit', 'tx_read_only']);

/**
 * Whether a SET of this known variable reaches MariaDB (false: the gateway answers it as vtgate would). Only
 * UseReservedConn variables are applied by Vitess; CheckAndIgnore ones never change MySQL ("allowed as long as
 * they have the same value as the underlying database", else ignored with a warning), IgnoreThese are ignored.
 */
export function forwardsToMysql(name: string): boolean {
  const cls = sysvarClass(name);
  if (cls === 'vitess') return FORWARDED_VITESS_AWARE.has(name.toLowerCase());
  return cls === 'reserved';
}
