"""The fake Google Sheets API (tests/fake_sheets.py) against what the real API v4 does.

Each test states a fact of the real API and where it was seen: a recorded session of gspread's
test suite (github.com/burnash/gspread, tests/cassettes/NAME.json), Google's reference
(developers.google.com/sheets/api/...), or an error Google gave in a public issue. Requests go
through the real gspread HTTP client over HTTP, or plain HTTP where the exact body matters.
"""

from __future__ import annotations

import json
import time

import gspread
import pytest
import requests
from fake_sheets import FakeSheets, service_key
from google.oauth2.service_account import Credentials

EMAIL = "collabsheet@office.iam.gserviceaccount.com"
OTHER = "other@office.iam.gserviceaccount.com"
SID = "conformSheet01"
REAL = "https://sheets.googleapis.com"
# the mask collabsheet/sources/gsheets.py sends
CLIENT_MASK = ("properties(title,timeZone),sheets(properties(sheetId,title,index,"
               "gridProperties(rowCount,columnCount)),developerMetadata(metadataKey,"
               "metadataValue))")


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(clock):
    with FakeSheets(clock=clock) as server:
        yield server


@pytest.fixture
def gc(fake, tmp_path):
    """gspread's own HTTP client, with its API base moved to the fake."""
    info = json.loads(service_key(tmp_path / "key.json", f"{fake.url}/token").read_text())
    creds = Credentials.from_service_account_info(
        info, scopes=["https://www.googleapis.com/auth/spreadsheets"])
    base = fake.url

    class Local(gspread.http_client.HTTPClient):
        def request(self, method, endpoint, *args, **kwargs):
            return super().request(method, endpoint.replace(REAL, base, 1), *args, **kwargs)

    return gspread.Client(auth=creds, http_client=Local).http_client


def refused(call) -> dict:
    with pytest.raises(gspread.exceptions.APIError) as info:
        call()
    return info.value.response.json()


def invalid(message: str) -> dict:
    return {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}


def raw(fake, method: str, path: str, who: str = EMAIL, **kwargs) -> requests.Response:
    return requests.request(method, f"{fake.url}/v4/spreadsheets/{path}",
                            headers={"Authorization": f"Bearer tok:{who}"}, timeout=10, **kwargs)


def sheet_ids(gc, sid: str = SID) -> dict[str, int]:
    meta = gc.fetch_sheet_metadata(sid, {"fields": "sheets.properties(sheetId,title)"})
    return {s["properties"]["title"]: s["properties"]["sheetId"] for s in meta["sheets"]}


def titles(fake, sid: str = SID) -> list[str]:
    return [s.title for s in fake.books[sid].sheets]


# ----- error bodies -------------------------------------------------------------------------

def test_a_range_on_no_sheet_is_unable_to_parse(fake, gc):
    # Google: 400 INVALID_ARGUMENT "Unable to parse range: <the range as given>"
    fake.add_book(SID, {"Sheet1": [["a"]]}, {EMAIL: "reader"})
    assert refused(lambda: gc.values_batch_get(SID, ["NOPE!A5:F15"])) == invalid(
        "Unable to parse range: NOPE!A5:F15")
    assert refused(lambda: gc.values_batch_get(SID, ["Sheet 1"])) == invalid(
        "Unable to parse range: Sheet 1")
    assert refused(lambda: gc.values_batch_get(SID, ["'Sheet1'!A1:B2:C3"])) == invalid(
        "Unable to parse range: 'Sheet1'!A1:B2:C3")


def test_not_found_and_no_permission(fake, gc):
    # cassettes ClientTest.test_access_non_existing_spreadsheet.json (404) and
    # ClientTest.test_access_private_spreadsheet.json (403), bodies verbatim
    assert refused(lambda: gc.fetch_sheet_metadata("noSuchSheet001")) == {"error": {
        "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}
    fake.add_book(SID, {"Sheet1": []}, {OTHER: "writer"})
    denied = {"error": {"code": 403, "message": "The caller does not have permission",
                        "status": "PERMISSION_DENIED"}}
    assert refused(lambda: gc.fetch_sheet_metadata(SID)) == denied
    fake.books[SID].shares[EMAIL] = "reader"  # a viewer may read but not write
    assert gc.fetch_sheet_metadata(SID)["sheets"][0]["properties"]["title"] == "Sheet1"
    assert refused(lambda: gc.batch_update(SID, {"requests": [
        {"addSheet": {"properties": {"title": "x"}}}]})) == denied
    assert titles(fake) == ["Sheet1"]


def test_sub_request_errors_name_their_index_and_kind(fake, gc):
    # errors of spreadsheets:batchUpdate read "Invalid requests[N].<kind>: ...": the deleteSheet
    # of the only sheet (googleapis/google-api-php-client#1293) and an unknown sheetId
    # (blinkk/rootjs#554: "Invalid requests[0].updateSheetProperties: No sheet with id: 0")
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"}, sheet_ids={"Sheet1": 7})
    assert refused(lambda: gc.batch_update(SID, {"requests": [
        {"deleteSheet": {"sheetId": 7}}]})) == invalid(
        "Invalid requests[0].deleteSheet: You can't remove all the sheets in a document.")
    assert refused(lambda: gc.batch_update(SID, {"requests": [
        {"addSheet": {"properties": {"title": "New"}}},
        {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "x"},
                                   "fields": "title"}}]})) == invalid(
        "Invalid requests[1].updateSheetProperties: No sheet with id: 0")
    assert titles(fake) == ["Sheet1"]
    # an empty batch (googleapis/google-api-nodejs-client#1001)
    assert refused(lambda: gc.batch_update(SID, {"requests": []})) == invalid(
        "Must specify at least one request.")


def test_values_batch_update_errors_name_their_data_index_and_nothing_is_written(fake, gc):
    # values:batchUpdate errors read "Invalid data[N]: ..."; writes never grow the grid
    fake.add_book(SID, {"Sheet1": [["keep"]]}, {EMAIL: "writer"})
    body = {"valueInputOption": "RAW", "data": [
        {"range": "Sheet1!A1", "values": [["changed"]]},
        {"range": "NOPE!A1", "values": [["x"]]}]}
    assert refused(lambda: gc.values_batch_update(SID, body)) == invalid(
        "Invalid data[1]: Unable to parse range: NOPE!A1")
    over = {"valueInputOption": "RAW", "data": [
        {"range": "Sheet1!A1", "values": [["changed"]]},
        {"range": "Sheet1!A1000", "values": [["a"], ["b"]]}]}
    message = refused(lambda: gc.values_batch_update(SID, over))["error"]["message"]
    assert message.startswith("Invalid data[1]: ") and "exceeds grid limits" in message
    sheet = fake.tab(SID, "Sheet1")
    assert sheet.values == [["keep"]] and sheet.rows == 1000


def test_a_field_google_does_not_know_is_refused_and_recorded(fake, gc):
    # Google: 'Invalid JSON payload received. Unknown name "headerValues" at
    # 'requests[0].update_sheet_properties.properties': Cannot find field.'
    # (theoephraim/node-google-spreadsheet#523); a wrong type: cassette
    # WorksheetTest.test_add_validation.json ("Invalid value at 'data.values'
    # (type.googleapis.com/google.protobuf.ListValue), \"X\"")
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"})
    answer = refused(lambda: gc.batch_update(SID, {"requests": [
        {"addSheet": {"properties": {"title": "x", "headerValues": ["a"]}}}]}))
    assert answer["error"]["message"] == (
        "Invalid JSON payload received. Unknown name \"headerValues\" at "
        "'requests[0].add_sheet.properties': Cannot find field.")
    assert answer["error"]["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    answer = refused(lambda: gc.values_batch_update(SID, {
        "valueInputOption": "RAW", "data": [{"range": "Sheet1!A1", "values": "X"}]}))
    assert answer["error"]["message"] == ("Invalid value at 'data[0].values' "
                                          "(type.googleapis.com/google.protobuf.ListValue), \"X\"")
    assert refused(lambda: gc.values_batch_get(SID, ["Sheet1"], {
        "valueRenderOption": "UNFORMATED_VALUE"}))["error"]["code"] == 400
    assert len(fake.violations) == 3 and titles(fake) == ["Sheet1"]


# ----- values reads -------------------------------------------------------------------------

def test_values_whole_numbers_are_ints_trailing_empties_trimmed(fake, gc):
    # cassette WorksheetTest.test_get_all_records_value_render_options.json: UNFORMATTED_VALUE
    # answers [[2, 43831, "string", 53], [1.5, 0.12, 36162]] (JSON ints for whole numbers);
    # cassette WorksheetTest.test_get_all_values_title_is_a1_notation.json: a middle empty row
    # is [] and a middle empty cell "", trailing ones are left out
    fake.add_book(SID, {"Sheet1": [[2.0, 43831.0, "string", 53, ""],
                                   [1.5, 0.12, 36162.0],
                                   ["", ""],
                                   ["", "b2", True],
                                   ["", "", ""], []],
                        "Empty": [["", ""], []]}, {EMAIL: "reader"})
    answer = gc.values_batch_get(SID, ["'Sheet1'", "'Empty'"], {
        "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"})
    first, empty = answer["valueRanges"]
    assert answer["spreadsheetId"] == SID
    assert first == {"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS", "values": [
        [2, 43831, "string", 53], [1.5, 0.12, 36162], [], ["", "b2", True]]}
    assert [type(v) for v in first["values"][0]] == [int, int, str, int]
    assert [type(v) for v in first["values"][1]] == [float, float, int]
    # an entirely empty range has no "values" at all
    assert empty == {"range": "Empty!A1:Z1000", "majorDimension": "ROWS"}


def test_the_answered_range_is_the_request_expanded_to_the_grid(fake, gc):
    # cassettes: a whole sheet is its full grid (WorksheetTest.test_hide_show_worksheet.json
    # clearedRange "Sheet1!A1:Z1000"), "A:A" on 10 rows is A1:A10
    # (SpreadsheetTest.test_values_batch_get.json), a title that looks like a cell is quoted
    # ('D3'!A1:D4, WorksheetTest.test_get_all_values_title_is_a1_notation.json), one with
    # spaces too ('🌵 test_values_batch_get 1'!A1:A10)
    fake.add_book(SID, {"Sheet1": [["x"]], "D3": [], "My tab": [], "Sheet_2": []},
                  {EMAIL: "reader"}, grid={"D3": (4, 4), "My tab": (10, 3)})
    answer = gc.values_batch_get(SID, ["'Sheet1'", "'D3'", "My tab!A:B", "'Sheet_2'!B2",
                                       "Sheet1!B2:C", "'My tab'!B3:A1"])
    assert [vr["range"] for vr in answer["valueRanges"]] == [
        "Sheet1!A1:Z1000", "'D3'!A1:D4", "'My tab'!A1:B10", "Sheet_2!B2", "Sheet1!B2:C1000",
        "'My tab'!A1:B3"]
    assert all(vr["majorDimension"] == "ROWS" for vr in answer["valueRanges"])
    # a range past the grid is refused (nithinmurali/pygsheets#416, googleapis/sloth#1096)
    message = refused(lambda: gc.values_batch_get(SID, ["'D3'!A1:A5"]))["error"]["message"]
    assert "exceeds grid limits. Max rows: 4, max columns: 4" in message


def test_merged_cells_read_empty_but_the_first(fake, gc):
    # cassette WorksheetTest.test_get_values_and_combine_merged_cells.json: after merging
    # A1:B2, C2:D2 and C3:C4 the values read [["1"], ["", "", "title"], ["", "", "2"],
    # ["num", "val", "", "0"]]
    fake.add_book(SID, {"Sheet1": [["1", "b1", "", ""], ["a2", "b2", "title", "d2"],
                                   ["", "", "2", ""], ["num", "val", "c4", "0"]]},
                  {EMAIL: "reader"}, grid={"Sheet1": (4, 4)},
                  merges={"Sheet1": ["A1:B2", "C2:D2", "C3:C4"]})
    answer = gc.values_batch_get(SID, ["'Sheet1'"])["valueRanges"][0]
    assert answer["values"] == [["1"], ["", "", "title"], ["", "", "2"], ["num", "val", "", "0"]]


# ----- spreadsheets.get ---------------------------------------------------------------------

def test_merges_are_grid_ranges_without_a_zero_sheet_id(fake, gc):
    # cassette CellTest.test_merge_cells.json: sheets[].merges [{"startRowIndex": 0,
    # "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 2}, ...] on sheetId 0
    fake.add_book(SID, {"Sheet1": [], "Other": []}, {EMAIL: "reader"}, sheet_ids={"Sheet1": 0},
                  merges={"Sheet1": ["A1:B1", "A2:B2"], "Other": ["C3:D5"]})
    sheets = gc.fetch_sheet_metadata(SID)["sheets"]
    assert sheets[0]["merges"] == [
        {"startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 2},
        {"startRowIndex": 1, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}]
    other = sheets[1]["properties"]["sheetId"]
    assert sheets[1]["merges"] == [{"sheetId": other, "startRowIndex": 2, "endRowIndex": 5,
                                    "startColumnIndex": 2, "endColumnIndex": 4}]
    fake.add_book("plainSheet001", {"Sheet1": []}, {EMAIL: "reader"})
    assert "merges" not in gc.fetch_sheet_metadata("plainSheet001")["sheets"][0]


def test_sheet_properties_as_google_answers_them(fake, gc):
    # cassette WorksheetTest.test_freeze.json: gridProperties {rowCount, columnCount} and
    # frozenRowCount / frozenColumnCount only when not zero; WorksheetTest.
    # test_hide_show_worksheet.json: "hidden": true only on a hidden sheet; sheetType "GRID"
    fake.add_book(SID, {"Sheet1": [], "Frozen": [], "Old": []}, {EMAIL: "reader"},
                  frozen={"Frozen": (2, 1)}, hidden={"Old"}, sheet_ids={"Sheet1": 0})
    answer = gc.fetch_sheet_metadata(SID, {"includeGridData": "false"})
    props = [s["properties"] for s in answer["sheets"]]
    assert props[0] == {"sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID",
                        "gridProperties": {"rowCount": 1000, "columnCount": 26}}
    assert props[1]["gridProperties"] == {"rowCount": 1000, "columnCount": 26,
                                          "frozenRowCount": 2, "frozenColumnCount": 1}
    assert props[2]["hidden"] is True and "hidden" not in props[1]
    assert list(answer) == ["spreadsheetId", "properties", "sheets", "spreadsheetUrl"]
    assert answer["properties"]["locale"] == "en_US"


def test_fields_mask_answers_only_what_it_names(fake, gc):
    # Google's field masks (developers.google.com/sheets/api/guides/field-masks): only the
    # fields asked are present; without a mask, everything; '/' works as '.' (cassette
    # WorksheetTest.test_freeze.json sends "gridProperties/frozenRowCount")
    fake.add_book(SID, {"Sheet1": [], "Results": []}, {EMAIL: "reader"})
    fake.add_metadata(SID, "collabsheet", "people", title="Results")
    answer = gc.fetch_sheet_metadata(SID, {"fields": CLIENT_MASK})
    ids = {s.title: s.sheet_id for s in fake.books[SID].sheets}
    assert answer == {
        "properties": {"title": "Office", "timeZone": "Asia/Seoul"},
        "sheets": [
            {"properties": {"sheetId": ids["Sheet1"], "title": "Sheet1", "index": 0,
                            "gridProperties": {"rowCount": 1000, "columnCount": 26}}},
            {"properties": {"sheetId": ids["Results"], "title": "Results", "index": 1,
                            "gridProperties": {"rowCount": 1000, "columnCount": 26}},
             "developerMetadata": [{"metadataKey": "collabsheet", "metadataValue": "people"}]}]}
    assert gc.fetch_sheet_metadata(SID, {"fields": "sheets/properties/title"}) == {
        "sheets": [{"properties": {"title": "Sheet1"}}, {"properties": {"title": "Results"}}]}
    full = gc.fetch_sheet_metadata(SID)
    assert full["spreadsheetId"] == SID and full["sheets"][1]["developerMetadata"][0][
        "location"] == {"locationType": "SHEET", "sheetId": ids["Results"]}
    values = gc.values_batch_get(SID, ["'Sheet1'"], {"fields": "valueRanges(range)"})
    assert values == {"valueRanges": [{"range": "Sheet1!A1:Z1000"}]}


def test_a_mask_naming_an_unknown_field_is_an_invalid_argument(fake, gc):
    # Google: 400 "Request contains an invalid argument." — also for a space after a comma
    # (ringo380/claude-google-sheets-mcp#4: "properties, sheets.properties")
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "reader"})
    for mask in ("properties(title,nope)", "sheets(properties(gridProperties(rows)))",
                 "properties, sheets.properties", "properties(title", "sheets.title"):
        assert refused(lambda m=mask: gc.fetch_sheet_metadata(SID, {"fields": m})) == invalid(
            "Request contains an invalid argument."), mask


# ----- sheet ids and titles -----------------------------------------------------------------

def test_sheet_ids_are_random_int32s():
    # cassettes: addSheet without a sheetId gets ids such as 157292741, 1513170215, 940685769,
    # 155988897 (SpreadsheetTest.test_values_batch_get.json, WorksheetTest.
    # test_hide_show_worksheet.json, WorksheetTest.test_worksheet_update_index.json)
    ids = []
    for seed in (1, 2):
        with FakeSheets(seed=seed) as other:
            book = other.add_book(SID, {"A": [], "B": [], "C": []}, {})
            ids.append([s.sheet_id for s in book.sheets])
    assert ids[0] != ids[1]
    assert all(0 < i < 2 ** 31 for i in ids[0] + ids[1])
    assert len(set(ids[0])) == 3


def test_add_sheet_without_an_id_gets_a_random_one_and_an_existing_id_is_refused(fake, gc):
    # cassette WorksheetTest.test_hide_show_worksheet.json: the addSheet reply is
    # {"addSheet": {"properties": {sheetId, title, index, sheetType, gridProperties}}}
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"}, sheet_ids={"Sheet1": 0})
    answer = gc.batch_update(SID, {"requests": [{"addSheet": {"properties": {
        "title": "you cannot see me", "sheetType": "GRID",
        "gridProperties": {"rowCount": 2, "columnCount": 2}}}}]})
    new_id = answer["replies"][0]["addSheet"]["properties"]["sheetId"]
    assert answer == {"spreadsheetId": SID, "replies": [{"addSheet": {"properties": {
        "sheetId": new_id, "title": "you cannot see me", "index": 1, "sheetType": "GRID",
        "gridProperties": {"rowCount": 2, "columnCount": 2}}}}]}
    assert 1 < new_id < 2 ** 31 and fake.tab(SID, "you cannot see me").sheet_id == new_id
    message = refused(lambda: gc.batch_update(SID, {"requests": [{"addSheet": {"properties": {
        "sheetId": new_id, "title": "again"}}}]}))["error"]["message"]
    assert message.startswith("Invalid requests[0].addSheet: ")
    assert titles(fake) == ["Sheet1", "you cannot see me"]


def test_titles_clash_whatever_their_case(fake, gc):
    # Google: 'Invalid requests[0].addSheet: A sheet with the name "Finance" already exists.
    # Please enter another name.'; titles compare case-insensitively, renames too
    fake.add_book(SID, {"Finance": [], "Staff": []}, {EMAIL: "writer"})
    assert refused(lambda: gc.batch_update(SID, {"requests": [
        {"addSheet": {"properties": {"title": "Finance"}}}]})) == invalid(
        'Invalid requests[0].addSheet: A sheet with the name "Finance" already exists. '
        "Please enter another name.")
    assert refused(lambda: gc.batch_update(SID, {"requests": [
        {"addSheet": {"properties": {"title": "FINANCE"}}}]}))["error"]["message"].startswith(
        'Invalid requests[0].addSheet: A sheet with the name "FINANCE" already exists.')
    staff = sheet_ids(gc)["Staff"]
    assert refused(lambda: gc.batch_update(SID, {"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": staff, "title": "finance"},
                                   "fields": "title"}}]})) == invalid(
        'Invalid requests[0].updateSheetProperties: A sheet with the name "finance" already '
        "exists. Please enter another name.")
    gc.batch_update(SID, {"requests": [{"updateSheetProperties": {
        "properties": {"sheetId": staff, "title": "STAFF"}, "fields": "title"}}]})
    assert titles(fake) == ["Finance", "STAFF"]


def test_index_moves_count_before_the_move(fake, gc):
    # cassette WorksheetTest.test_worksheet_update_index.json: the third sheet given index 0
    # comes first; the reference: "to move S1 ahead of S2 the index would have to be set to 2"
    fake.add_book(SID, {"S1": [], "S2": [], "S3": []}, {EMAIL: "writer"})
    ids = sheet_ids(gc)
    move = {"updateSheetProperties": {"properties": {"sheetId": ids["S3"], "index": 0},
                                      "fields": "index"}}
    assert gc.batch_update(SID, {"requests": [move]}) == {"spreadsheetId": SID, "replies": [{}]}
    assert titles(fake) == ["S3", "S1", "S2"]
    gc.batch_update(SID, {"requests": [{"updateSheetProperties": {
        "properties": {"sheetId": ids["S1"], "index": 3}, "fields": "index"}}]})
    assert titles(fake) == ["S3", "S2", "S1"]
    assert [s.index for s in fake.books[SID].sheets] == [0, 1, 2]


# ----- freezing, hiding, resizing, the cell limit -------------------------------------------

def test_freezing_every_row_or_column_is_refused(fake, gc):
    # Google: "You can't freeze all visible rows on the sheet." when frozenRowCount >=
    # rowCount ("... columns ..." likewise), as a sub-request error
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"})
    header_only = {"addSheet": {"properties": {"title": "Validation", "gridProperties": {
        "rowCount": 1, "columnCount": 5, "frozenRowCount": 1}}}}
    assert refused(lambda: gc.batch_update(SID, {"requests": [header_only]})) == invalid(
        "Invalid requests[0].addSheet: You can't freeze all visible rows on the sheet.")
    sheet1 = sheet_ids(gc)["Sheet1"]
    freeze = {"updateSheetProperties": {"properties": {
        "sheetId": sheet1, "gridProperties": {"frozenColumnCount": 26}},
        "fields": "gridProperties.frozenColumnCount"}}
    assert refused(lambda: gc.batch_update(SID, {"requests": [freeze]})) == invalid(
        "Invalid requests[0].updateSheetProperties: You can't freeze all visible columns on "
        "the sheet.")
    shrink = {"updateSheetProperties": {"properties": {
        "sheetId": sheet1, "gridProperties": {"rowCount": 2, "frozenRowCount": 2}},
        "fields": "gridProperties(rowCount,frozenRowCount)"}}
    assert refused(lambda: gc.batch_update(SID, {"requests": [shrink]})) == invalid(
        "Invalid requests[0].updateSheetProperties: You can't freeze all visible rows on the "
        "sheet.")
    assert titles(fake) == ["Sheet1"]
    two_rows = {"addSheet": {"properties": {"title": "Validation", "gridProperties": {
        "rowCount": 2, "columnCount": 5, "frozenRowCount": 1}}}}
    gc.batch_update(SID, {"requests": [two_rows]})
    assert fake.tab(SID, "Validation").frozen == 1


def test_resizing_with_slash_paths_and_unfreezing(fake, gc):
    # cassettes WorksheetTest.test_get_values_and_combine_merged_cells.json ("fields":
    # "gridProperties/rowCount,gridProperties/columnCount") and WorksheetTest.test_freeze.json
    # (frozen counts set to 0 disappear from the properties)
    fake.add_book(SID, {"Sheet1": [["a", "b", "c"], ["d"], ["e"]]}, {EMAIL: "writer"},
                  frozen={"Sheet1": (2, 1)})
    sheet1 = sheet_ids(gc)["Sheet1"]
    gc.batch_update(SID, {"requests": [{"updateSheetProperties": {"properties": {
        "sheetId": sheet1, "gridProperties": {"rowCount": 4, "columnCount": 4}},
        "fields": "gridProperties/rowCount,gridProperties/columnCount"}}]})
    gc.batch_update(SID, {"requests": [{"updateSheetProperties": {"properties": {
        "sheetId": sheet1, "gridProperties": {"frozenRowCount": 0, "frozenColumnCount": 0}},
        "fields": "gridProperties/frozenRowCount,gridProperties/frozenColumnCount"}}]})
    props = gc.fetch_sheet_metadata(SID)["sheets"][0]["properties"]
    assert props["gridProperties"] == {"rowCount": 4, "columnCount": 4}
    assert gc.values_batch_get(SID, ["'Sheet1'"])["valueRanges"][0]["range"] == "Sheet1!A1:D4"


def test_hiding_sheets_but_never_all(fake, gc):
    # cassette WorksheetTest.test_hide_show_worksheet.json: hiding the only sheet answers
    # "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a
    # document."; hiding another gives "hidden": true, showing it removes the key; replies {}
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"}, sheet_ids={"Sheet1": 0})

    def hide(sheet_id, hidden):
        return {"requests": [{"updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "hidden": hidden}, "fields": "hidden"}}]}

    assert refused(lambda: gc.batch_update(SID, hide(0, True))) == invalid(
        "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a "
        "document.")
    added = gc.batch_update(SID, {"requests": [{"addSheet": {"properties": {
        "title": "you cannot see me", "gridProperties": {"rowCount": 2, "columnCount": 2}}}}]})
    other = added["replies"][0]["addSheet"]["properties"]["sheetId"]
    assert gc.batch_update(SID, hide(other, True)) == {"spreadsheetId": SID, "replies": [{}]}
    assert gc.fetch_sheet_metadata(SID)["sheets"][1]["properties"]["hidden"] is True
    assert refused(lambda: gc.batch_update(SID, hide(0, True)))["error"]["code"] == 400
    gc.batch_update(SID, hide(other, False))
    assert "hidden" not in gc.fetch_sheet_metadata(SID)["sheets"][1]["properties"]


def test_the_cell_limit_counts_each_step_and_the_batch_fails_whole(fake, gc):
    # Google: "Invalid requests[45].addSheet: This action would increase the number of cells in
    # the workbook above the limit of 10000000 cells." checked after each sub-request on the
    # state so far (robin900/gspread-dataframe#37: a resize fails on its intermediate size);
    # batchUpdate is atomic (reference: "if any request is not valid then the entire request
    # will fail and nothing will be applied")
    fake.add_book(SID, {"Big": [["x"]], "Small": []}, {EMAIL: "writer"},
                  grid={"Big": (900_000, 10)})
    ids = sheet_ids(gc)
    add_a = {"addSheet": {"properties": {"title": "A", "gridProperties": {
        "rowCount": 10, "columnCount": 10}}}}
    add_b = {"addSheet": {"properties": {"title": "B", "gridProperties": {
        "rowCount": 100_000, "columnCount": 10}}}}
    delete_big = {"deleteSheet": {"sheetId": ids["Big"]}}
    assert refused(lambda: gc.batch_update(SID, {"requests": [add_a, add_b, delete_big]})) == \
        invalid("Invalid requests[1].addSheet: This action would increase the number of cells "
                "in the workbook above the limit of 10000000 cells.")
    assert titles(fake) == ["Big", "Small"]  # A was not kept
    grow = {"updateSheetProperties": {"properties": {"sheetId": ids["Small"], "gridProperties": {
        "rowCount": 40_000}}, "fields": "gridProperties.rowCount"}}
    assert refused(lambda: gc.batch_update(SID, {"requests": [grow]}))["error"]["message"] == (
        "Invalid requests[0].updateSheetProperties: This action would increase the number of "
        "cells in the workbook above the limit of 10000000 cells.")
    gc.batch_update(SID, {"requests": [delete_big, add_a, add_b]})
    assert titles(fake) == ["Small", "A", "B"]
    assert sum(s.rows * s.cols for s in fake.books[SID].sheets) == 1_026_100


def test_a_failing_batch_applies_nothing(fake, gc):
    # reference (spreadsheets/batchUpdate): the updates are applied together atomically
    fake.add_book(SID, {"Sheet1": [["a"]]}, {EMAIL: "writer"})
    sheet1 = sheet_ids(gc)["Sheet1"]
    before = gc.fetch_sheet_metadata(SID)
    body = {"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": sheet1, "title": "Renamed"},
                                   "fields": "title"}},
        {"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": "k", "metadataValue": "v", "location": {"spreadsheet": True},
            "visibility": "DOCUMENT"}}},
        {"addSheet": {"properties": {"title": "New"}}},
        {"addSheet": {"properties": {"title": "new"}}}]}
    assert refused(lambda: gc.batch_update(SID, body))["error"]["message"].startswith(
        "Invalid requests[3].addSheet: ")
    assert gc.fetch_sheet_metadata(SID) == before


# ----- quota --------------------------------------------------------------------------------

READ_429 = {"error": {
    "code": 429,
    "message": "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
               "minute per user' of service 'sheets.googleapis.com' for consumer "
               "'project_number:603366585132'.",
    "status": "RESOURCE_EXHAUSTED",
    "details": [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
         "domain": "googleapis.com",
         "metadata": {"quota_limit_value": "60", "service": "sheets.googleapis.com",
                      "consumer": "projects/603366585132",
                      "quota_unit": "1/min/{project}/{user}", "quota_location": "global",
                      "quota_metric": "sheets.googleapis.com/read_requests",
                      "quota_limit": "ReadRequestsPerMinutePerUser"}},
        {"@type": "type.googleapis.com/google.rpc.Help",
         "links": [{"description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]}]}}
WRITE_429 = json.loads(json.dumps(READ_429).replace("Read requests", "Write requests").replace(
    "read_requests", "write_requests").replace("ReadRequests", "WriteRequests"))


def test_sixty_reads_a_minute_per_user_then_429(fake, gc, clock):
    # developers.google.com/sheets/api/limits: 60 read requests a minute per user, 60 write
    # requests; over it, 429 RESOURCE_EXHAUSTED with this body. The fake's window slides on
    # the clock it was given.
    fake.add_book(SID, {"Sheet1": [["a"]]}, {EMAIL: "writer", OTHER: "reader"})
    for i in range(60):
        clock.now += 0.5
        if i % 2:
            gc.fetch_sheet_metadata(SID)
        else:
            gc.values_batch_get(SID, ["'Sheet1'"])
    answer = raw(fake, "GET", SID)
    assert answer.status_code == 429 and answer.json() == READ_429
    assert refused(lambda: gc.values_batch_get(SID, ["'Sheet1'"])) == READ_429
    # writes have their own quota, other users theirs
    write = {"valueInputOption": "RAW", "data": [{"range": "Sheet1!B1", "values": [["b"]]}]}
    gc.values_batch_update(SID, write)
    assert raw(fake, "GET", SID, who=OTHER).status_code == 200
    # the first read, made at +0.5 s, leaves the window at +60.5 s
    clock.now = 5000.0 + 60.4
    assert raw(fake, "GET", SID).status_code == 429
    clock.now = 5000.0 + 60.5
    assert raw(fake, "GET", SID).status_code == 200
    assert raw(fake, "GET", SID).status_code == 429  # the second read leaves at +61.0 s
    clock.now += 120
    assert [raw(fake, "GET", SID).status_code for _ in range(61)] == [200] * 60 + [429]


def test_sixty_writes_a_minute_per_user_then_429(fake, gc, clock):
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"})
    write = {"valueInputOption": "RAW", "data": [{"range": "Sheet1!A1", "values": [["a"]]}]}
    for i in range(60):
        if i % 2:
            gc.values_batch_update(SID, write)
        else:
            gc.batch_update(SID, {"requests": [{"repeatCell": {
                "range": {"sheetId": fake.books[SID].sheets[0].sheet_id},
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold"}}]})
    answer = raw(fake, "POST", f"{SID}/values:batchUpdate", json=write)
    assert answer.status_code == 429 and answer.json() == WRITE_429
    assert gc.fetch_sheet_metadata(SID)["spreadsheetId"] == SID  # reads still go
    clock.now += 60
    assert raw(fake, "POST", f"{SID}/values:batchUpdate", json=write).status_code == 200


# ----- developer metadata -------------------------------------------------------------------

def create(location: dict, key: str = "collabsheet-lock", value: str = "run-1") -> dict:
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": key, "metadataValue": value, "location": location,
        "visibility": "DOCUMENT"}}}


def test_developer_metadata_created_on_the_spreadsheet_and_on_a_sheet(fake, gc):
    # reference (spreadsheets.developerMetadata, CreateDeveloperMetadataResponse): the reply
    # holds the metadata with a server-assigned metadataId and a location with its
    # locationType; spreadsheet-level metadata is the spreadsheet's developerMetadata
    fake.add_book(SID, {"Sheet1": [], "Results": []}, {EMAIL: "writer"})
    results = sheet_ids(gc)["Results"]
    answer = gc.batch_update(SID, {"requests": [create({"spreadsheet": True}),
                                                create({"sheetId": results}, "collabsheet",
                                                       "people")]})
    lock = answer["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    mark = answer["replies"][1]["createDeveloperMetadata"]["developerMetadata"]
    assert lock == {"metadataId": lock["metadataId"], "metadataKey": "collabsheet-lock",
                    "metadataValue": "run-1",
                    "location": {"locationType": "SPREADSHEET", "spreadsheet": True},
                    "visibility": "DOCUMENT"}
    assert mark == {"metadataId": mark["metadataId"], "metadataKey": "collabsheet",
                    "metadataValue": "people",
                    "location": {"locationType": "SHEET", "sheetId": results},
                    "visibility": "DOCUMENT"}
    assert isinstance(lock["metadataId"], int) and lock["metadataId"] != mark["metadataId"]
    full = gc.fetch_sheet_metadata(SID)
    assert full["developerMetadata"] == [lock]
    assert full["sheets"][1]["developerMetadata"] == [mark]
    assert "developerMetadata" not in full["sheets"][0]
    assert gc.fetch_sheet_metadata(SID, {"fields": "developerMetadata(metadataKey)"}) == {
        "developerMetadata": [{"metadataKey": "collabsheet-lock"}]}
    assert "developerMetadata" not in gc.fetch_sheet_metadata(SID, {"fields": CLIENT_MASK})
    assert fake.tab(SID, "Results").metadata == [mark] and fake.books[SID].metadata == [lock]
    # spreadsheets.developerMetadata.get and .search
    assert raw(fake, "GET", f"{SID}/developerMetadata/{lock['metadataId']}").json() == lock
    found = raw(fake, "POST", f"{SID}/developerMetadata:search", json={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "collabsheet"}}]}).json()
    assert [m["developerMetadata"] for m in found["matchedDeveloperMetadata"]] == [mark]


def test_a_lock_in_spreadsheet_metadata_taken_updated_and_released(fake, gc):
    # reference: UpdateDeveloperMetadataRequest {dataFilters, developerMetadata, fields} and
    # DeleteDeveloperMetadataRequest {dataFilter: {developerMetadataLookup}}
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "writer"})
    taken = gc.batch_update(SID, {"requests": [create({"spreadsheet": True})]})
    mid = taken["replies"][0]["createDeveloperMetadata"]["developerMetadata"]["metadataId"]
    lookup = {"developerMetadataLookup": {"metadataKey": "collabsheet-lock",
                                          "locationType": "SPREADSHEET"}}
    renewed = gc.batch_update(SID, {"requests": [{"updateDeveloperMetadata": {
        "dataFilters": [lookup], "developerMetadata": {"metadataValue": "run-1 until 12:05"},
        "fields": "metadataValue"}}]})
    assert renewed["replies"][0]["updateDeveloperMetadata"]["developerMetadata"] == [
        {"metadataId": mid, "metadataKey": "collabsheet-lock",
         "metadataValue": "run-1 until 12:05",
         "location": {"locationType": "SPREADSHEET", "spreadsheet": True},
         "visibility": "DOCUMENT"}]
    meta = gc.fetch_sheet_metadata(SID, {"fields": "developerMetadata(metadataId,metadataValue)"})
    assert meta == {"developerMetadata": [{"metadataId": mid,
                                           "metadataValue": "run-1 until 12:05"}]}
    released = gc.batch_update(SID, {"requests": [{"deleteDeveloperMetadata": {
        "dataFilter": {"developerMetadataLookup": {"metadataId": mid}}}}]})
    assert released["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"][0][
        "metadataId"] == mid
    assert "developerMetadata" not in gc.fetch_sheet_metadata(SID)
    assert raw(fake, "GET", f"{SID}/developerMetadata/{mid}").status_code == 404


def test_sheet_metadata_goes_with_its_sheet(fake, gc):
    # reference (DeveloperMetadataLocation): metadata on a sheet is deleted with the sheet
    fake.add_book(SID, {"Sheet1": [], "Results": []}, {EMAIL: "writer"})
    results = sheet_ids(gc)["Results"]
    made = gc.batch_update(SID, {"requests": [create({"sheetId": results}, "collabsheet",
                                                     "people")]})
    mid = made["replies"][0]["createDeveloperMetadata"]["developerMetadata"]["metadataId"]
    assert gc.batch_update(SID, {"requests": [{"deleteSheet": {"sheetId": results}}]}) == {
        "spreadsheetId": SID, "replies": [{}]}
    assert raw(fake, "GET", f"{SID}/developerMetadata/{mid}").status_code == 404
    found = raw(fake, "POST", f"{SID}/developerMetadata:search", json={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "collabsheet"}}]}).json()
    assert found == {}
    message = refused(lambda: gc.batch_update(SID, {"requests": [
        create({"sheetId": results})]}))["error"]["message"]
    assert message.startswith("Invalid requests[0].createDeveloperMetadata: ")


# ----- writes -------------------------------------------------------------------------------

def test_values_batch_update_answers_what_it_wrote(fake, gc):
    # cassette WorksheetTest.test_get_all_values_title_is_a1_notation.json: a write of 4x4
    # cells ("" among them) answers updatedRange "'D3'!A1:D4" and updatedCells 16
    fake.add_book(SID, {"D3": []}, {EMAIL: "writer"}, grid={"D3": (4, 4)})
    values = [["A1", "B1", "", "D1"], ["", "b2", "", ""], ["", "", "", ""],
              ["A4", "B4", "", "d4"]]
    answer = gc.values_batch_update(SID, {"valueInputOption": "RAW", "data": [
        {"range": "'D3'!A1", "majorDimension": "ROWS", "values": values}]})
    assert answer["responses"] == [{"spreadsheetId": SID, "updatedRange": "'D3'!A1:D4",
                                    "updatedRows": 4, "updatedColumns": 4, "updatedCells": 16}]
    assert answer["totalUpdatedCells"] == 16
    read = gc.values_batch_get(SID, ["'D3'"])["valueRanges"][0]
    assert read["values"] == [["A1", "B1", "", "D1"], ["", "b2"], [], ["A4", "B4", "", "d4"]]


# ----- fault injection (the fake's own, kept) -----------------------------------------------

def test_faults_are_injected_on_the_requests_they_name(fake, gc):
    fake.add_book(SID, {"Sheet1": []}, {EMAIL: "reader"})
    fake.faults += [{"status": 500, "path": "values:batchGet"},
                    {"status": 429, "retry_after": "7"}, {"delay": 0.2}, {"drop": True}]
    answer = raw(fake, "GET", SID)  # the first fault waits for a batchGet
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    started = time.monotonic()
    assert raw(fake, "GET", SID).status_code == 200
    assert time.monotonic() - started >= 0.2
    with pytest.raises(requests.ConnectionError):
        raw(fake, "GET", SID)
    answer = raw(fake, "GET", f"{SID}/values:batchGet", params={"ranges": "Sheet1"})
    assert answer.status_code == 500 and answer.json()["error"]["status"] == "INTERNAL"
    assert fake.faults == []
    assert len(fake.usage[(EMAIL, "read")]) == 1  # faults spend no quota: only the delayed
