// GenerateSynthetic: builds the hidden world, writes every agency extract, the
// manifest the ingest stage reads, and the truth files only evaluation reads.
#include "riskradar/synth/synth.h"
#include "riskradar/core/paths.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "extracts.h"
#include "model.h"
#include "reference_data.h"

namespace riskradar::synth {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kTruthReadme = R"(# Truth for this synthetic partnership

Written by `riskradar synth` beside the extracts. The pipeline never reads these
files; evaluation (linkage precision/recall, risk-level agreement, network and
place recovery) does. Every row of every extract is accounted for here (deliberately broken rows in `defects.csv`).

| file | columns | meaning |
|---|---|---|
| `mentions.csv` | `agency,local_id,slot,person_key` | who each extract row is about. `slot` is `subject` or `associate`. `local_id` is the row's record id (the mapping's `local_id`); ids are unique per agency across all its files. |
| `events.csv` | `agency,local_id,event_key` | the real-world event each row records: rows with one `event_key` are one event recorded by more than one agency (a missing episode reported to the police and recorded by children's services, up to two days apart). Evaluation scores event linkage against it. |
| `place_mentions.csv` | `agency,local_id,place_key` | the true place of each row that names a place (school rows: the pupil's school). |
| `defects.csv` | `file,line,problem` | rows written broken on purpose (an impossible date re-keyed by hand, a JSON line cut short), about one in 400 to 500 of council and police rows: ingest must quarantine exactly these. They have no mention rows. |
| `people.csv` | `person_key,kind,sex,dob,district,name_origin,true_level,network_id,offender,forename,surname,postcode,nhs_number,upn` | the true person. `kind` child or adult; `true_level` none, at_risk, significant or serious for children and empty for adults; `network_id` the planted network a child (victim) or adult (offender) belongs to, or empty; `offender` 1 for suspected offenders (network members and lone offenders). Names, postcode and identifiers are the true values before agency errors. |
| `places.csv` | `place_key,name,type,postcode,lat,lon,district,of_concern` | the true place, with its canonical (fictional) name; `of_concern` 1 for places of concern. |
| `networks.csv` | `network_id,person_key,role` | planted networks: `role` offender or victim. |
| `network_places.csv` | `network_id,place_key` | the places each network uses (a few places are shared by two networks). |
| `offender_links.csv` | `child_key,offender_key,network_id` | which offenders exploit which child (lone offenders have an empty network_id). |

Agency errors applied per record (independently): name typos, nicknames,
transliteration variants, swapped forename and surname, missing or transposed
dates of birth, year off by one, an earlier address, missing postcodes,
surname changes (per agency), diacritic/hyphen/apostrophe drift, upper case.
Place names vary between agencies (The dropped, abbreviations, typos, case).
)";

std::string LevelName(const TruePerson& person) {
  if (!person.child) return "";
  switch (person.level) {
    case RiskLevel::kNoCurrentRisk:
      return "none";
    case RiskLevel::kAtRisk:
      return "at_risk";
    case RiskLevel::kSignificant:
      return "significant";
    case RiskLevel::kSerious:
      return "serious";
  }
  return "none";
}

std::string NetworkId(int network) {
  if (network < 0) return "";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "N%03d", network + 1);
  return buffer;
}

std::string Coordinate(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.5f", value);
  return buffer;
}

Status WriteTruthTables(const World& world, const std::filesystem::path& truth_dir) {
  CsvWriter people;
  RR_RETURN_IF_ERROR(people.Open(truth_dir / "people.csv",
                                 {"person_key", "kind", "sex", "dob", "district", "name_origin", "true_level",
                                  "network_id", "offender", "forename", "surname", "postcode", "nhs_number", "upn"}));
  for (uint32_t i = 0; i < world.people.size(); ++i) {
    const TruePerson& p = world.people[i];
    people.WriteRow({PersonKey(i), p.child ? "child" : "adult", p.sex == 0 ? "female" : "male", p.dob.ToIso(),
                     std::string(kDistricts[p.district]), std::string(ToString(p.origin)), LevelName(p),
                     NetworkId(p.network), p.offender ? "1" : "0", p.forename, p.surname, p.postcode, p.nhs_number,
                     p.upn});
  }
  RR_RETURN_IF_ERROR(people.Close());

  CsvWriter places;
  RR_RETURN_IF_ERROR(places.Open(truth_dir / "places.csv",
                                 {"place_key", "name", "type", "postcode", "lat", "lon", "district", "of_concern"}));
  for (size_t i = 0; i < world.places.size(); ++i) {
    const TruePlace& p = world.places[i];
    places.WriteRow({PlaceKey(static_cast<int>(i)), p.name, std::string(riskradar::ToString(p.type)), p.postcode,
                     Coordinate(p.lat), Coordinate(p.lon), std::string(kDistricts[p.district]),
                     p.of_concern ? "1" : "0"});
  }
  RR_RETURN_IF_ERROR(places.Close());

  CsvWriter networks, network_places;
  RR_RETURN_IF_ERROR(networks.Open(truth_dir / "networks.csv", {"network_id", "person_key", "role"}));
  RR_RETURN_IF_ERROR(network_places.Open(truth_dir / "network_places.csv", {"network_id", "place_key"}));
  for (size_t n = 0; n < world.networks.size(); ++n) {
    const TrueNetwork& network = world.networks[n];
    const std::string id = NetworkId(static_cast<int>(n));
    for (uint32_t member : network.members) networks.WriteRow({id, PersonKey(member), "offender"});
    for (uint32_t victim : network.victims) networks.WriteRow({id, PersonKey(victim), "victim"});
    for (int place : network.places) network_places.WriteRow({id, PlaceKey(place)});
  }
  RR_RETURN_IF_ERROR(networks.Close());
  RR_RETURN_IF_ERROR(network_places.Close());

  CsvWriter links;
  RR_RETURN_IF_ERROR(links.Open(truth_dir / "offender_links.csv", {"child_key", "offender_key", "network_id"}));
  for (uint32_t i = 0; i < world.people.size(); ++i) {
    const TruePerson& p = world.people[i];
    if (!p.child) continue;
    for (uint32_t offender : p.links) {
      links.WriteRow({PersonKey(i), PersonKey(offender), NetworkId(world.people[offender].network)});
    }
  }
  RR_RETURN_IF_ERROR(links.Close());

  LineWriter readme;
  RR_RETURN_IF_ERROR(readme.Open(truth_dir / "README.md"));
  readme.Write(kTruthReadme.substr(0, kTruthReadme.size() - 1));
  return readme.Close();
}

Status WriteManifest(const SynthOptions& options, const Partnership& partnership,
                     const std::filesystem::path& out_dir) {
  Json manifest;
  manifest["partnership"] = "West Midlands (synthetic)";
  manifest["period"] = {{"start", options.period_start.ToIso()}, {"end", options.period_end.ToIso()}};
  manifest["seed"] = options.seed;
  manifest["scale"] = options.scale;
  Json agencies = Json::array();
  for (size_t a = 0; a < partnership.agencies.size(); ++a) {
    const AgencySpec& agency = partnership.agencies[a];
    Json extracts = Json::array();
    for (const ExtractSpec& extract : partnership.extracts) {
      if (extract.agency != static_cast<int>(a)) continue;
      extracts.push_back({{"file", extract.file}, {"mapping", extract.mapping}});
    }
    agencies.push_back({{"code", agency.code},
                        {"name", agency.name},
                        {"kind", agency.kind},
                        {"area", agency.area},
                        {"extracts", std::move(extracts)}});
  }
  manifest["agencies"] = std::move(agencies);
  LineWriter writer;
  RR_RETURN_IF_ERROR(writer.Open(out_dir / "manifest.json"));
  writer.Write(manifest.dump(2));
  return writer.Close();
}

}  // namespace

Result<SynthSummary> GenerateSynthetic(const SynthOptions& options, const std::filesystem::path& out_dir) {
  if (!(options.scale > 0) || options.scale > 1000) {
    return Status::InvalidArgument("scale must be greater than 0 and at most 1000");
  }
  if (options.period_end < options.period_start.AddDays(90)) {
    return Status::InvalidArgument("the period must cover at least 90 days");
  }
  const std::filesystem::path data_dir =
      options.data_dir.empty() ? DataPath("data/reference") : std::filesystem::path(options.data_dir);
  auto ref = LoadReferenceData(data_dir);
  if (!ref.ok()) return ref.status().WithContext("loading reference data from " + data_dir.string());

  const Partnership partnership = DescribePartnership();
  const World world =
      BuildWorld({options.seed, options.scale, options.period_start, options.period_end}, *ref, partnership.routing);

  // Each extract lists its events in date order, as a system export would.
  std::vector<std::vector<const PlannedEvent*>> by_extract(partnership.extracts.size());
  for (const PlannedEvent& event : world.events) by_extract[event.extract].push_back(&event);
  for (auto& events : by_extract) {
    std::sort(events.begin(), events.end(), [](const PlannedEvent* a, const PlannedEvent* b) {
      return a->date != b->date ? a->date < b->date : a->seq < b->seq;
    });
  }

  std::error_code ec;
  const std::filesystem::path truth_dir = out_dir / "truth";
  std::filesystem::create_directories(truth_dir, ec);
  if (ec) return Status::IoError("cannot create " + truth_dir.string() + ": " + ec.message());
  TruthWriters truth;
  RR_RETURN_IF_ERROR(truth.mentions.Open(truth_dir / "mentions.csv", {"agency", "local_id", "slot", "person_key"}));
  RR_RETURN_IF_ERROR(truth.place_mentions.Open(truth_dir / "place_mentions.csv", {"agency", "local_id", "place_key"}));
  RR_RETURN_IF_ERROR(truth.defects.Open(truth_dir / "defects.csv", {"file", "line", "problem"}));
  RR_RETURN_IF_ERROR(truth.events.Open(truth_dir / "events.csv", {"agency", "local_id", "event_key"}));

  SynthSummary summary;
  for (size_t e = 0; e < partnership.extracts.size(); ++e) {
    size_t rows = 0;
    RR_RETURN_IF_ERROR(WriteExtract(partnership, e, world, by_extract[e], options.seed, out_dir, truth, rows, *ref));
    summary.records += rows;
    ++summary.files;
  }
  RR_RETURN_IF_ERROR(truth.mentions.Close());
  RR_RETURN_IF_ERROR(truth.place_mentions.Close());
  RR_RETURN_IF_ERROR(truth.defects.Close());
  RR_RETURN_IF_ERROR(truth.events.Close());
  RR_RETURN_IF_ERROR(WriteTruthTables(world, truth_dir));
  RR_RETURN_IF_ERROR(WriteManifest(options, partnership, out_dir));

  summary.agencies = partnership.agencies.size();
  summary.people = world.people.size();
  for (const TruePerson& person : world.people) {
    if (person.child) {
      ++summary.children;
      if (person.level != RiskLevel::kNoCurrentRisk) ++summary.children_at_risk;
    } else {
      ++summary.adults;
      if (person.offender) ++summary.offenders;
    }
  }
  summary.networks = world.networks.size();
  summary.places = world.places.size();
  for (const TruePlace& place : world.places) summary.places_of_concern += place.of_concern ? 1 : 0;
  return summary;
}

}  // namespace riskradar::synth
