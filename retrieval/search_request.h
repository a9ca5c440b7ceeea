// SearchRequest: what a person asked for (free text plus filters), parsed from CLI or HTTP input.
// A plain value; safe to copy and share.
#pragma once
