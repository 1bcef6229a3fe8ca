// A base header that includes the engine: the layering check must reject it.
#pragma once
#include "engine/ingest/table.h"
