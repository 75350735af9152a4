"""Every sentence collabsheet says that is not a rule's message, in English and Korean, declared
once: the lines the command line prints, its progress text, and the errors that stop a job.

An error is raised with its words unsaid (``Said``): the library often does not yet know the
office's language when it fails (a file that cannot be opened has no Rules tab to read), so the
command line puts the words into a language when it shows them. Rule messages live in the
catalogue; ``Said`` speaks those too (``rule=``), so an error naming a rule uses its words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PHRASES: dict[str, tuple[str, str]] = {
    # ----- the command line's lines
    "wrote": ("Wrote {tabs} into {where}.", "{tabs} 탭을 {where}에 썼습니다."),
    "created": ("Created {path} ({lang}). Fill Staff and Departments, then the Log.",
                "{path}을(를) 만들었습니다. 직원, 부서 탭을 채운 뒤 기록 탭에 입력하세요."),
    "created_sheet": ("Added the template's tabs to {path} ({tabs}). Fill Staff and "
                      "Departments, then the Log.",
                      "{path}에 서식 탭({tabs})을 추가했습니다. 직원, 부서 탭을 채운 뒤 기록 탭에 "
                      "입력하세요."),
    "demo_open": ("Open {path}: the result tabs are {tabs}.",
                  "{path}을(를) 열어 보세요. 결과 탭: {tabs}."),
    "demo_report": ("The meeting report for 2025-H1 is {path}.",
                    "2025년 상반기 보고서는 {path}입니다."),
    "no_months": ("No months to show.", "표시할 달이 없습니다."),
    "ledger_rows": ("{n:,} ledger rows (one per person per month).",
                    "원장 {n:,}행(한 사람의 한 달이 한 행)."),
    "more": ("... and {n:,} more", "... 외 {n:,}건"),
    "summary": ("{source}: {verdict}. Log rows: {rows:,}, accepted {accepted:,}, rejected "
                "{rejected:,}, with warnings {warned:,}; {errors:,} error(s), {warnings:,} "
                "warning(s) in all tabs.",
                "{source}: {verdict}. 기록 {rows:,}행 중 인정 {accepted:,}, 거부 {rejected:,}, "
                "경고가 있는 행 {warned:,}; 모든 탭에서 오류 {errors:,}건, 경고 {warnings:,}건."),
    "valid": ("valid", "이상 없음"),
    "not_valid": ("NOT valid", "오류 있음"),
    "top": ("top {n}", "상위 {n}명"),
    "top_departments": ("top {n}", "상위 {n}개"),
    "unplaced": ("{n:,} rejected row(s) are not in the rejected rows above: their date is "
                 "unreadable or outside {period}.",
                 "거부된 행 중 {n:,}개는 날짜를 읽을 수 없거나 {period} 밖이어서 위의 거부된 행에 "
                 "들어가지 않았습니다."),
    # ----- progress
    "validating": ("Validating {path}", "{path} 검증 중"),
    "ledgering": ("Computing the ledger of {path}", "{path}의 원장 계산 중"),
    "ranking": ("Ranking {path}", "{path} 순위 계산 중"),
    "notifying": ("Making the notices of {path}", "{path} 알림 만드는 중"),
    "reporting": ("Making the report of {path}", "{path} 보고서 만드는 중"),
    "running": ("Running {path}", "{path} 처리 중"),
    "sealing": ("Sealing {month} of {path}", "{path}의 {month} 봉인 중"),
    "demoing": ("Running the demo", "예시 기관 실행 중"),
    "quota_wait": ("Google Sheets quota reached (60 requests a minute); waiting {seconds} s",
                   "Google 시트 할당량(1분에 60회 요청)에 닿아 {seconds}초 기다리는 중"),
    "pacing": ("Keeping to Google's quota ({limit} {kind} requests a minute); waiting "
               "{seconds} s", "Google 할당량(1분에 {kind} 요청 {limit}회)을 지키려고 {seconds}초 "
               "기다리는 중"),
    # ----- errors the command line adds
    "error": ("Error: {message}", "오류: {message}"),
    "interrupted": ("interrupted; the workbook was not changed",
                    "중단했습니다. 통합 문서는 바뀌지 않았습니다"),
    "unexpected": ("unexpected failure ({kind}: {detail}); the workbook was not changed. Run "
                   "with --debug for details.",
                   "예상하지 못한 오류입니다({kind}: {detail}). 통합 문서는 바뀌지 않았습니다. "
                   "자세한 내용은 --debug를 붙여 실행하세요."),
    # ----- the job's errors
    "as_of_aware": ("as_of must be a date or a time-zone-aware datetime",
                    "기준일은 날짜이거나 시간대가 있는 일시여야 합니다"),
    "as_of_type": ("as_of must be a date, got {value!r}", "기준일은 날짜여야 합니다. 받은 값: "
                   "{value!r}"),
    "sealed_changed": ("sealed month(s) {months} changed since they were sealed (see the "
                       "sealed-changed rows in validate); nothing was written. Use "
                       "--accept-changes to accept the edits and seal again",
                       "봉인된 {months}의 행이 봉인 뒤에 바뀌어(validate의 sealed-changed 행 "
                       "참고) 아무것도 쓰지 않았습니다. 바뀐 내용을 인정하고 다시 봉인하려면 "
                       "--accept-changes를 붙이세요"),
    "demo_exists": ("{path} already exists; demo writes a new file (choose another name)",
                    "{path}이(가) 이미 있습니다. demo는 새 파일을 만듭니다(다른 이름을 "
                    "지정하세요)"),
    "init_exists": ("{path} already exists; collabsheet init never overwrites a file",
                    "{path}이(가) 이미 있습니다. collabsheet init은 있는 파일을 덮어쓰지 "
                    "않습니다"),
    "cannot_create": ("{path}: cannot be created ({why})", "{path}을(를) 만들 수 없습니다({why})"),
    "no_template": ("no template for language {lang!r}; expected en or ko",
                    "{lang!r} 언어의 서식은 없습니다. en 또는 ko를 지정하세요"),
    "sheet_not_empty": ("the sheet already has data in {tabs}; collabsheet init only fills an "
                        "empty sheet",
                        "시트의 {tabs} 탭에 이미 데이터가 있습니다. collabsheet init은 빈 시트만 "
                        "채웁니다"),
    "not_month": ("{text!r} is not a month; expected YYYY-MM",
                  "{text!r}은(는) 월이 아닙니다. 2025-03처럼 YYYY-MM으로 입력하세요"),
    "period_backwards": ("period {text!r} ends before it starts",
                         "기간 {text!r}은(는) 끝이 시작보다 앞섭니다"),
    "not_period": ("{text!r} is not a period; expected {forms}",
                   "{text!r}은(는) 기간이 아닙니다. {forms} 가운데 하나로 입력하세요"),
    "not_ended": ("{month} has not ended on {day}; only a month that has ended can be sealed",
                  "{day} 기준으로 {month}은(는) 아직 끝나지 않았습니다. 끝난 달만 봉인할 수 "
                  "있습니다"),
    "seal_changed": ("{month} is sealed and has changed since; check the report, then use "
                     "--accept-changes to seal it again",
                     "{month}은(는) 봉인된 뒤 바뀌었습니다. 보고서를 확인한 뒤 다시 봉인하려면 "
                     "--accept-changes를 붙이세요"),
    "sealed_now": ("{month} sealed: {n} rows, digest {digest}",
                   "{month}을(를) 봉인했습니다: {n}행, 요약값 {digest}"),
    "sealed_again": ("{month} sealed again: {n} rows, digest {digest}",
                     "{month}을(를) 다시 봉인했습니다: {n}행, 요약값 {digest}(이전 요약값은 봉인 "
                     "탭에 남겨 둠)"),
    "seal_unchanged": ("{month} is already sealed and unchanged",
                       "{month}은(는) 이미 봉인되어 있고 바뀐 것이 없습니다"),
    # ----- files
    "no_file": ("{path}: no such file", "{path}: 파일이 없습니다"),
    "is_folder": ("{path}: is a folder, not a workbook", "{path}: 통합 문서가 아니라 폴더입니다"),
    "not_xlsx_file": ("{path}: not an .xlsx workbook (expected an Excel file saved as .xlsx)",
                      "{path}: .xlsx 통합 문서가 아닙니다(Excel에서 .xlsx로 저장한 파일이어야 "
                      "합니다)"),
    "unreadable": ("{path}: cannot be read as an .xlsx workbook ({why})",
                   "{path}: .xlsx 통합 문서로 읽을 수 없습니다({why})"),
    "tab_unreadable": ("{path}: tab {tab!r} cannot be read ({why})",
                       "{path}: {tab!r} 탭을 읽을 수 없습니다({why})"),
    "named_as": ("{path}: is {what} named {named}; rename it to {better}",
                 "{path}: {what}인데 이름이 {named}입니다. {better}(으)로 이름을 바꾸세요"),
    "is_empty": ("{path}: is empty (0 bytes), not an .xlsx workbook",
                 "{path}: 빈 파일(0바이트)이라 .xlsx 통합 문서가 아닙니다"),
    "encrypted": ("{path}: is a workbook protected with a password, not an .xlsx workbook "
                  "collabsheet can read; open it in Excel, remove the password (File > Info > "
                  "Protect Workbook) and save it",
                  "{path}: 암호로 보호된 통합 문서라 읽을 수 없습니다. Excel에서 열어 암호를 "
                  "없앤 뒤(파일 > 정보 > 통합 문서 보호) 저장하세요"),
    "other_format": ("{path}: is {what}, not an .xlsx workbook; open it in Excel or LibreOffice "
                     "and save it as an Excel workbook (.xlsx)",
                     "{path}: {what}이라 .xlsx 통합 문서가 아닙니다. Excel이나 LibreOffice에서 "
                     "열어 Excel 통합 문서(.xlsx)로 저장하세요"),
    "kind_xlsx": ("an .xlsx workbook", ".xlsx 통합 문서"),
    "kind_ods": ("an OpenDocument spreadsheet (.ods)", "OpenDocument 스프레드시트(.ods)"),
    "kind_xls": ("an Excel 97-2003 workbook (.xls)", "Excel 97-2003 통합 문서(.xls)"),
    "kind_xlsb": ("an Excel binary workbook (.xlsb)", "Excel 바이너리 통합 문서(.xlsb)"),
    "kind_csv": ("a text file of values (CSV)", "쉼표로 구분한 텍스트 파일(CSV)"),
    "kind_text": ("a text file", "텍스트 파일"),
    "kind_html": ("a web page (HTML)", "웹 페이지(HTML)"),
    "kind_xml2003": ("an Excel 2003 XML spreadsheet", "Excel 2003 XML 스프레드시트"),
    "kind_zip": ("a zip archive", "zip 압축 파일"),
    "no_extension": ("without an extension", "확장자 없음"),
    "open_elsewhere": ("{path} seems to be open in Excel or LibreOffice ({lock} exists); close "
                       "it first, or use --force",
                       "{path}이(가) Excel이나 LibreOffice에서 열려 있는 것 같습니다({lock} 파일이 "
                       "있음). 먼저 닫거나 --force를 붙이세요"),
    "cannot_open_write": ("{path}: cannot be opened for writing ({why})",
                          "{path}: 쓰기용으로 열 수 없습니다({why})"),
    "cannot_write_into": ("{path}: its workbook structure is not one collabsheet can write "
                          "into ({why})",
                          "{path}: collabsheet가 결과를 써 넣을 수 없는 통합 문서 "
                          "구조입니다({why})"),
    "worker_stopped": ("a worker process stopped before its part was done (exit status "
                       "{status}); run again",
                       "작업 프로세스가 맡은 부분을 마치기 전에 멈췄습니다(종료 상태 {status}). "
                       "다시 실행하십시오"),
    "cannot_write": ("{path}: cannot be written ({why}); it was left as it was",
                     "{path}: 쓸 수 없습니다({why}). 파일은 그대로 두었습니다"),
    "cannot_replace": ("{path}: cannot be replaced ({why}); it was left as it was",
                       "{path}: 바꿔 쓸 수 없습니다({why}). 파일은 그대로 두었습니다"),
    # ----- Google Sheets
    "not_sheet_id": ("{location!r} is not a Google Sheet id",
                     "{location!r}은(는) Google 시트 ID가 아닙니다"),
    "no_key_file": ("credentials file {path} does not exist",
                    "인증 파일 {path}이(가) 없습니다"),
    "key_unreadable": ("credentials file {path} cannot be read as a service-account key (a "
                       "JSON file from Google Cloud with client_email and private_key)",
                       "인증 파일 {path}을(를) 서비스 계정 키(client_email과 private_key가 있는 "
                       "Google Cloud의 JSON 파일)로 읽을 수 없습니다"),
    "key_incomplete": ("credentials file {path} is not a service-account key (it needs "
                       "client_email, private_key and token_uri)",
                       "인증 파일 {path}은(는) 서비스 계정 키가 아닙니다(client_email, "
                       "private_key, token_uri가 있어야 합니다)"),
    "key_invalid": ("credentials file {path} holds a key that cannot be used (its private_key "
                    "is not valid)",
                    "인증 파일 {path}의 키를 쓸 수 없습니다(private_key가 올바르지 않음)"),
    "no_credentials": ("no Google credentials: give --credentials KEY.json (a service-account "
                       "key), set COLLABSHEET_CREDENTIALS or GOOGLE_APPLICATION_CREDENTIALS, or "
                       "use --oauth",
                       "Google 인증 정보가 없습니다. --credentials KEY.json(서비스 계정 키)을 "
                       "주거나, COLLABSHEET_CREDENTIALS 또는 GOOGLE_APPLICATION_CREDENTIALS를 "
                       "설정하거나, --oauth를 쓰세요"),
    "need_gspread": ("Google Sheets support needs gspread: pip install 'collabsheet[gsheets]'",
                     "Google 시트를 쓰려면 gspread가 필요합니다: pip install "
                     "'collabsheet[gsheets]'"),
    "no_answer": ("Google Sheets did not answer after {tries} tries ({kind})",
                  "Google 시트가 {tries}번 시도하는 동안 응답하지 않았습니다({kind})"),
    "quota": ("Google Sheets kept answering 429 (quota: 60 requests a minute) after {tries} "
              "tries over about two minutes; try again later",
              "Google 시트가 약 2분 동안 {tries}번 모두 429(할당량: 1분에 60회 요청)로 "
              "답했습니다. 나중에 다시 실행하세요"),
    "kept_failing": ("Google Sheets kept answering {code} after {tries} tries; try again later",
                     "Google 시트가 {tries}번 모두 {code}(으)로 답했습니다. 나중에 다시 "
                     "실행하세요"),
    "oauth_client": ("--oauth needs an OAuth client file at {path} (Google Cloud console: APIs "
                     "& Services > Credentials > Create credentials > OAuth client ID > Desktop "
                     "app > Download JSON, saved under that name); see {guide}",
                     "--oauth를 쓰려면 {path}에 OAuth 클라이언트 파일이 있어야 합니다(Google "
                     "Cloud 콘솔: API 및 서비스 > 사용자 인증 정보 > 사용자 인증 정보 만들기 > "
                     "OAuth 클라이언트 ID > 데스크톱 앱 > JSON 다운로드, 그 이름으로 저장). "
                     "안내: {guide}"),
    "oauth_no_browser": ("--oauth signs in through a web browser, and this machine has none "
                         "(no display); on a server use a service account instead "
                         "(--credentials KEY.json; see {guide}), or sign in once on a desktop "
                         "and copy {signed_in} here",
                         "--oauth는 웹 브라우저로 로그인하는데 이 컴퓨터에는 화면이 없습니다. "
                         "서버에서는 서비스 계정을 쓰거나(--credentials KEY.json, 안내: "
                         "{guide}), 데스크톱에서 한 번 로그인한 뒤 {signed_in}을(를) 이곳에 "
                         "복사하세요"),
    "sign_in_failed": ("Google sign-in failed ({kind}: {detail}); see {guide}",
                       "Google 로그인에 실패했습니다({kind}: {detail}). 안내: {guide}"),
    "unanswered": ("Google Sheets did not answer when asked to {what}; the sheet may or may "
                   "not have been changed: look at it before running again",
                   "Google 시트가 '{what}' 요청에 답하지 않았습니다. 시트가 바뀌었을 수도 "
                   "있으니 다시 실행하기 전에 확인하세요"),
    "not_done": ("Google Sheets did not answer when asked to {what}, and the sheet shows it "
                 "was not done; try again later",
                 "Google 시트가 '{what}' 요청에 답하지 않았고, 시트를 보면 처리되지 않았습니다. "
                 "나중에 다시 실행하세요"),
    "no_sheet": ("no Google Sheet with id {id} (check the id or URL)",
                 "ID가 {id}인 Google 시트가 없습니다(ID나 URL을 확인하세요)"),
    "read_not_edit": ("{email} may read but not edit the sheet {id}; share it with that "
                      "address as Editor to use --write",
                      "{email} 계정은 시트 {id}을(를) 볼 수만 있고 편집할 수 없습니다. "
                      "--write를 쓰려면 이 주소에 편집자 권한으로 공유하세요"),
    "not_shared": ("the sheet {id} is not shared with {email}; share it with that address "
                   "(Viewer to check, Editor to --write)",
                   "시트 {id}이(가) {email}에 공유되어 있지 않습니다. 이 주소에 공유하세요"
                   "(검사만 하려면 뷰어, --write를 쓰려면 편집자)"),
    "rejected_401": ("Google rejected the credentials (401); check the key file",
                     "Google이 인증 정보를 거부했습니다(401). 키 파일을 확인하세요"),
    "refused_api": ("Google Sheets refused to {what} ({code}: {message})",
                    "Google 시트가 '{what}' 요청을 거부했습니다({code}: {message})"),
    "auth_refused": ("Google did not accept the credentials ({kind})",
                     "Google이 인증 정보를 받아들이지 않았습니다({kind})"),
    "lock_gone": ("{name}: the lock collabsheet took is gone (someone removed it); nothing was "
                  "written. Run again",
                  "{name}: collabsheet가 걸어 둔 잠금이 없어졌습니다(누군가 지움). 아무것도 "
                  "쓰지 않았으니 다시 실행하세요"),
    "rival_run": ("{name}: another collabsheet run started writing the sheet at the same "
                  "moment ({since}); this one stopped and wrote nothing. Run again when it is "
                  "done",
                  "{name}: 다른 collabsheet 실행이 같은 때에 시트를 쓰기 시작해({since}) 이 "
                  "실행은 아무것도 쓰지 않고 멈췄습니다. 그 실행이 끝난 뒤 다시 실행하세요"),
    "locked": ("{name}: another collabsheet run has been writing the sheet since {since}; "
               "nothing was written. Run again when it is done (a lock older than {minutes} "
               "minutes is taken over)",
               "{name}: 다른 collabsheet 실행이 {since}부터 시트를 쓰고 있어 아무것도 쓰지 "
               "않았습니다. 그 실행이 끝난 뒤 다시 실행하세요({minutes}분보다 오래된 잠금은 "
               "넘겨받습니다)"),
    "too_many_cells": ("{name}: the results need {new:,} cells and the sheet's other tabs hold "
                       "{office:,}; Google Sheets allows {most:,} in all. Nothing was written: "
                       "put the results into another workbook with --output (a new .xlsx or "
                       "another gsheet:ID)",
                       "{name}: 결과에 셀 {new:,}개가 필요하고 시트의 다른 탭에 {office:,}개가 "
                       "있는데, Google 시트는 모두 합쳐 {most:,}개까지만 허용합니다. 아무것도 "
                       "쓰지 않았습니다. --output으로 다른 통합 문서(새 .xlsx나 다른 "
                       "gsheet:ID)에 결과를 쓰세요"),
    # ----- the meeting report (collabsheet report)
    "report_title": ("Collaboration points: {period}", "협업 포인트 운영 결과: {period}"),
    "report_sub": ("{source}, as of {day}", "{source}, {day} 기준"),
    "report_compared": ("Changes against {period}.", "증감은 {period} 대비입니다."),
    "report_uncompared": ("No earlier period of the same length to compare with.",
                          "비교할 같은 길이의 이전 기간 자료가 없습니다."),
    "rep_collaborations": ("Collaborations", "협업 건수"),
    "rep_points": ("Points sent", "보낸 포인트"),
    "rep_senders": ("People who sent", "보낸 인원"),
    "rep_receivers": ("People who received", "받은 인원"),
    "rep_participation": ("Participation", "참여율"),
    "rep_participation_note": ("people who sent at least once, of the {staff:,} on the People "
                               "tab", "한 번 이상 보낸 사람 / 개인 순위 탭의 {staff:,}명"),
    "rep_specials": ("Special awards", "특별 포인트"),
    "rep_commend": ("Commendations", "표창 대상"),
    "rep_people": ("People", "개인"),
    "rep_departments": ("Departments: {group}", "부서: {group}"),
    "rep_tie": ("tie across the line: the office decides", "경계 동점: 기관이 결정"),
    "rep_none": ("none", "없음"),
    "rep_months": ("Month by month", "월별 추이"),
    "rep_months_note": ("Participation: people who sent that month, of those granted points "
                        "that month (the Ledger).",
                        "참여율: 그달 보낸 사람 / 그달 포인트를 받은 사람(원장 기준)."),
    "rep_flows": ("Who helps whom", "부서 간 협업"),
    "rep_flows_note": ("The strongest {shown} of {total:,} department pairs, by points.",
                       "부서 쌍 {total:,}개 중 포인트가 많은 {shown}개."),
    "rep_helper": ("Helping department", "도운 부서"),
    "rep_helped": ("Helped department", "도움받은 부서"),
    "rep_givers": ("Gave more than they received", "받은 것보다 많이 보낸 부서"),
    "rep_takers": ("Received more than they gave", "보낸 것보다 많이 받은 부서"),
    "rep_uptake": ("Participation by department", "부서별 참여율"),
    "rep_uptake_note": ("All {total} departments.", "전체 {total}개 부서."),
    "rep_uptake_some": ("The {half} lowest and the {half} highest of {total} departments.",
                        "전체 {total}개 부서 중 참여율이 낮은 {half}개와 높은 {half}개."),
    "rep_quality": ("Data quality", "자료 점검"),
    "rep_quality_line": ("{rejected:,} Log rows of the period were rejected; the rules they "
                         "broke most: {rules}.",
                         "이 기간 기록 {rejected:,}행이 반려되었습니다. 가장 많이 어긴 규칙: "
                         "{rules}."),
    "rep_quality_clean": ("No Log row of the period was rejected.",
                          "이 기간에 반려된 기록 행이 없습니다."),
    "rep_rule_rows": ("{title} ({rows:,})", "{title}({rows:,}행)"),
    "rep_change": ("{sign}{value} against before", "이전 대비 {sign}{value}"),
    "rep_unchanged": ("no change", "변동 없음"),
    "rep_pp": ("{value} percentage points", "{value}%포인트"),
    "rep_footer": ("Made by collabsheet from the result tabs of {source}.",
                   "collabsheet가 {source}의 결과 탭에서 만들었습니다."),
    "no_browser": ("no headless browser to print the PDF: install Chromium (Debian or Ubuntu: "
                   "apt-get install chromium) or set COLLABSHEET_BROWSER to one; the HTML "
                   "report was written",
                   "PDF를 인쇄할 헤드리스 브라우저가 없습니다. Chromium을 설치하거나(Debian, "
                   "Ubuntu: apt-get install chromium) COLLABSHEET_BROWSER에 지정하세요. HTML "
                   "보고서는 썼습니다"),
    "browser_failed": ("{browser} could not print the PDF ({why}); the HTML report was written",
                       "{browser}가 PDF를 인쇄하지 못했습니다({why}). HTML 보고서는 썼습니다"),
    # ----- notices (collabsheet notify)
    "mail_subject": ("Collaboration points: your {month}", "협업 포인트: {month} 알림"),
    "mail_hello": ("Dear {name},", "{name} 님, 안녕하세요."),
    "mail_thanks": ("Thanks received in {month}", "{month}에 받은 감사"),
    "mail_thanks_line": ("{day}: {points} points from {name} ({department}): \"{message}\"",
                         "{day}: {name}({department}) 님이 {points}포인트와 함께: \"{message}\""),
    "mail_refused": ("Your rows of {month} that do not count", "{month}에 인정되지 않은 내 기록"),
    "mail_refused_line": ("Log row {row}, {day}, to {to}, {points} points:",
                          "기록 {row}행, {day}, 받는 사람 {to}, {points}포인트:"),
    "mail_left": ("You still have {left} points to send this month; they expire at its end.",
                  "이번 달에 보낼 수 있는 포인트가 {left}포인트 남았습니다. 월말에 소멸됩니다."),
    "mail_statement": ("Your statement for {month}", "{month} 내역"),
    "mail_statement_line": ("Granted {granted}, sent {sent}, expired {expired}, received "
                            "{received} points.",
                            "지급 {granted}, 보냄 {sent}, 소멸 {expired}, 받음 {received}포인트."),
    "mail_score": ("Your score in {period} so far: {score}.",
                   "{period} 지금까지의 내 점수: {score}점."),
    "mail_footer": ("Sent by collabsheet from {source}, as of {day}. Only you receive this.",
                    "collabsheet가 {source}에서 {day} 기준으로 보냈습니다. 본인에게만 보내는 "
                    "알림입니다."),
    "notify_wrote": ("Wrote {n:,} notice(s) for {month} into {dir}; nothing was sent.",
                     "{month} 알림 {n:,}건을 {dir}에 썼습니다. 보내지는 않았습니다."),
    "notify_no_email": ("No email address on the Staff tab: {ids}",
                        "직원 탭에 이메일 주소가 없는 사람: {ids}"),
    "notify_sent": ("Sent {n:,} notice(s) for {month} through {server}; recorded on the {tab} "
                    "tab.", "{month} 알림 {n:,}건을 {server}로 보내고 {tab} 탭에 기록했습니다."),
    "notify_nothing": ("Nothing new to tell for {month}: every notice was sent before.",
                       "{month}에 새로 알릴 것이 없습니다. 모든 알림을 이미 보냈습니다."),
    "notify_refused": ("The mail server refused {n} address(es), not recorded (tried again next "
                       "run): {who}", "메일 서버가 주소 {n}개를 거부했습니다(기록하지 않았으며 "
                       "다음 실행 때 다시 보냅니다): {who}"),
    "notify_too_old": ("{month} is more than {keep} months before {as_of}: its notices are no "
                       "longer recorded, so none are sent (--dry-run still writes them)",
                       "{month}은(는) {as_of}보다 {keep}개월 넘게 지난 달이라 알림 기록을 두지 "
                       "않으므로 보내지 않습니다(--dry-run으로 파일은 쓸 수 있습니다)"),
    "notify_full": ("the {tab} tab would pass {limit:,} rows; notices are recorded for the last "
                    "{keep} months only, so this is more than one office sends",
                    "{tab} 탭이 {limit:,}행을 넘게 됩니다. 알림은 최근 {keep}개월만 "
                    "기록하므로 한 기관이 보내는 양보다 많습니다"),
    "notify_unrecorded": ("{n} notice(s) were accepted by the mail server but could not be "
                          "recorded ({why}); the next run sends them again",
                          "알림 {n}건은 메일 서버가 받았지만 기록하지 못했습니다({why}). 다음 "
                          "실행 때 다시 보냅니다"),
    "notify_how": ("give --smtp HOST:PORT to send, or --dry-run DIR to write the notices as "
                   "files (not both)", "보내려면 --smtp HOST:PORT, 파일로 쓰려면 --dry-run "
                   "DIR 중 하나를 주세요(둘 다는 안 됩니다)"),
    "smtp_address": ("--smtp {text!r}: expected HOST:PORT, such as mail.example.go.kr:587",
                     "--smtp {text!r}: HOST:PORT 형식이어야 합니다(예: mail.example.go.kr:587)"),
    "smtp_connect": ("cannot reach the mail server {server}: {why}; check --smtp (and "
                     "--starttls or --ssl); nothing was sent",
                     "메일 서버 {server}에 연결할 수 없습니다: {why}. --smtp(와 --starttls, "
                     "--ssl)를 확인하세요. 아무것도 보내지 않았습니다"),
    "smtp_no_starttls": ("the mail server {server} does not offer STARTTLS; nothing was sent "
                         "(try --ssl, or leave out --starttls on a trusted relay)",
                         "메일 서버 {server}가 STARTTLS를 지원하지 않아 아무것도 보내지 "
                         "않았습니다(--ssl을 쓰거나, 믿을 수 있는 릴레이라면 --starttls를 "
                         "빼세요)"),
    "smtp_no_auth": ("the mail server {server} offers no login, but COLLABSHEET_SMTP_USER is "
                     "set; nothing was sent (unset it, or use --starttls: many servers offer a "
                     "login only after it)",
                     "메일 서버 {server}가 로그인을 지원하지 않는데 COLLABSHEET_SMTP_USER가 "
                     "설정되어 있어 아무것도 보내지 않았습니다(설정을 지우거나 --starttls를 "
                     "쓰세요)"),
    "smtp_login": ("the mail server {server} refused the login of {user}: {why}; check "
                   "COLLABSHEET_SMTP_USER and COLLABSHEET_SMTP_PASSWORD; nothing was sent",
                   "메일 서버 {server}가 {user}의 로그인을 거부했습니다: {why}. "
                   "COLLABSHEET_SMTP_USER와 COLLABSHEET_SMTP_PASSWORD를 확인하세요. 아무것도 "
                   "보내지 않았습니다"),
    "smtp_login_needed": ("the mail server {server} wants a login: set COLLABSHEET_SMTP_USER "
                          "and COLLABSHEET_SMTP_PASSWORD; nothing was sent",
                          "메일 서버 {server}에 로그인이 필요합니다. COLLABSHEET_SMTP_USER와 "
                          "COLLABSHEET_SMTP_PASSWORD를 설정하세요. 아무것도 보내지 "
                          "않았습니다"),
    "smtp_sender": ("the mail server {server} refused the sender {sender}: {why}; give --from "
                    "an address it accepts; nothing was sent", "메일 서버 {server}가 보내는 주소 "
                    "{sender}를 거부했습니다: {why}. 서버가 받는 주소를 --from으로 주세요. "
                    "아무것도 보내지 않았습니다"),
    "smtp_dropped": ("the mail server {server} closed the connection: {why}",
                     "메일 서버 {server}가 연결을 끊었습니다: {why}"),
    "smtp_stopped": ("{why}; {n:,} notice(s) sent before were recorded, run again to send the "
                     "rest", "{why}. 그 전에 보낸 알림 {n:,}건은 기록했으니 다시 실행하면 "
                     "나머지를 보냅니다"),
    "per_minute": ("--per-minute {n}: expected a whole number of at least 1",
                   "--per-minute {n}: 1 이상의 정수여야 합니다"),
    "tls_both": ("--starttls and --ssl: give one of them", "--starttls와 --ssl 중 하나만 주세요"),
    "live_exists": ("{name} has a My points tab already; nothing was added",
                    "{name}에 내 포인트 탭이 이미 있어 아무것도 추가하지 않았습니다"),
    "live_no_tabs": ("{name} has no {tabs} tab for the My points tab to read; nothing was "
                     "added", "{name}에 내 포인트 탭이 읽을 {tabs} 탭이 없어 아무것도 추가하지 "
                     "않았습니다"),
    "live_added": ("Added {tabs} to {path}, and marks on its Log.",
                   "{path}에 {tabs} 탭과 기록 탭 표시를 추가했습니다."),
    "report_suffix": ("{path}: the report is written to a file ending {ends}",
                      "{path}: 보고서 파일 이름은 {ends}(으)로 끝나야 합니다"),
    "report_wrote": ("Wrote the report for {period} to {where}.",
                     "{period} 보고서를 {where}에 썼습니다."),
}


@dataclass(frozen=True)
class Said:
    """Words not yet put into a language: a phrase of ``PHRASES`` (or, with ``rule``, that
    rule's variant in the catalogue) and the fields that fill it."""

    key: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    rule: str | None = None

    def say(self, lang: str = "en") -> str:
        fields = {k: v.say(lang) if isinstance(v, Said) else v for k, v in self.fields.items()}
        if self.rule is not None:
            from .catalogue import say

            return say(self.rule, self.key, lang, **fields)
        return phrase(self.key, lang, **fields)

    def __str__(self) -> str:
        return self.say("en")


def said(key: str, /, **fields: Any) -> Said:
    return Said(key, fields)


def rule_said(rule: str, variant: str = "default", /, **fields: Any) -> Said:
    return Said(variant, fields, rule)


def template(key: str, lang: str = "en") -> str:
    """The phrase ``key`` in ``lang`` (English where it has no Korean), its fields unfilled:
    for text made 100,000 times, filled with ``str.format``."""
    en, ko = PHRASES[key]
    return ko if lang == "ko" and ko else en


def phrase(key: str, lang: str = "en", /, **fields: Any) -> str:
    """The phrase ``key`` in ``lang`` (English where it has no Korean) with its fields."""
    return template(key, lang).format(**fields)
