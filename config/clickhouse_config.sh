#!/bin/sh
# clickhouse_config.sh - writes DIR/config.xml for a throwaway ClickHouse
# server (Debian's clickhouse-server) whose data, tmp and logs live in DIR,
# serving the native protocol on 127.0.0.1:PORT only, with small caches and
# the package's users.xml (user default, no password). Used by
# config/demo.sh and the test fixture tests/integration/ch.py.
# Usage: clickhouse_config.sh DIR PORT
set -eu
dir=$1
port=$2
mkdir -p "$dir"
cat >"$dir/config.xml.tmp" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/error.log</errorlog></logger>
  <tcp_port>$port</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
</yandex>
XML
mv "$dir/config.xml.tmp" "$dir/config.xml"
