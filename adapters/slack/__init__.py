"""studybot on Slack (slack-bolt): slash commands, Block Kit, modals, App Home, Socket Mode or HTTP.

Modules: `manifest` (the app manifest from the command catalogue), `render` (neutral model -> Block
Kit), `translate` (payloads -> core events), `errors` (Web API errors -> DeliveryProblem), `pacing`
(per-channel queue, 429 retries), `workspaces` (tokens per team), `chat` (the ChatPort), `deliver`
(a Response for an interaction), `private` (only-you replies kept for editing, response_url posts),
`listeners` (bolt listeners), `oauth` (optional distribution), `adapter` (SlackAdapter).
"""
