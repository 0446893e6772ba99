// The two drivers behind OpenConnection (sql.h). Private to src/store/sql/.
#pragma once

#include <memory>
#include <string>

#include "sql.h"

namespace riskradar::store::sql {

Result<std::unique_ptr<Connection>> OpenSqliteConnection(const std::string& path);
Result<std::unique_ptr<Connection>> OpenPostgresConnection(const std::string& uri);
// The error of a statement failed by Connection::InjectSerializationFailuresForTesting.
Status InjectedSerializationFailure(std::string_view sql);

}  // namespace riskradar::store::sql
