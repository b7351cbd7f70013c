// Command histogram_records writes receiver-core/src/test/resources/wal/prometheus-histogram-records.json: batches
// of histogram samples encoded by Prometheus' own tsdb/record encoder the way its head logs them (the type 7/8
// record, then the custom-bucket type 9/10 record, each only when Prometheus would log it), for
// HistogramRecordTest. Run it as tools/golden/histogram_chunks.go says, with this file as the main.go.
package main

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"strconv"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/tsdb/record"
)

type entry struct {
	Ref   uint64 `json:"ref"`
	T     int64  `json:"t"`
	Proto string `json:"histogram"` // the histogram as Go prints it, for a reader of the file
}

type batch struct {
	Name    string   `json:"name"`
	Float   bool     `json:"float"`
	Entries []entry  `json:"entries"`
	Records []string `json:"records"`
}

func exp(i int) *histogram.Histogram {
	return &histogram.Histogram{CounterResetHint: histogram.CounterResetHint(i % 4), Schema: int32(i%13 - 4),
		ZeroThreshold: math.Ldexp(0.5, -127), ZeroCount: uint64(i), Count: uint64(100 + i*1000), Sum: float64(i) * -1.5,
		PositiveSpans:   []histogram.Span{{Offset: int32(-i), Length: 2}, {Offset: 3, Length: 1}},
		PositiveBuckets: []int64{int64(i), -1, int64(1 << (i % 60))},
		NegativeSpans:   []histogram.Span{{Offset: 2, Length: 1}},
		NegativeBuckets: []int64{int64(-i)}}
}

func custom(i int) *histogram.Histogram {
	return &histogram.Histogram{Schema: histogram.CustomBucketsSchema, Count: uint64(7 + i), Sum: 0.125 * float64(i),
		PositiveSpans: []histogram.Span{{Offset: 0, Length: 3}}, PositiveBuckets: []int64{int64(i), 2, -1},
		CustomValues: []float64{0.005, 0.25, 1e9}}
}

func main() {
	stale := &histogram.Histogram{Sum: math.Float64frombits(value.StaleNaN)}
	batches := []struct {
		name string
		refs []uint64
		ts   []int64
		hs   []*histogram.Histogram
	}{
		{"exponential only", []uint64{5, 3, 900, 5}, []int64{1000, 999, 5000, -7}, []*histogram.Histogram{exp(1), exp(2), exp(3), stale}},
		{"custom first", []uint64{42, 7, 43, 1 << 40}, []int64{60000, 60001, 59000, 61000}, []*histogram.Histogram{custom(1), exp(4), custom(2), exp(5)}},
		{"custom only", []uint64{10, 11}, []int64{1 << 41, 1<<41 + 15000}, []*histogram.Histogram{custom(3), custom(4)}},
	}
	var out []batch
	var enc record.Encoder
	for _, b := range batches {
		for _, float := range []bool{false, true} {
			bt := batch{Name: b.name, Float: float}
			var ints []record.RefHistogramSample
			var floats []record.RefFloatHistogramSample
			for i, h := range b.hs {
				bt.Entries = append(bt.Entries, entry{Ref: b.refs[i], T: b.ts[i], Proto: h.String() + " sumBits=" + strconv.FormatUint(math.Float64bits(h.Sum), 16)})
				ints = append(ints, record.RefHistogramSample{Ref: chunks.HeadSeriesRef(b.refs[i]), T: b.ts[i], H: h})
				floats = append(floats, record.RefFloatHistogramSample{Ref: chunks.HeadSeriesRef(b.refs[i]), T: b.ts[i], FH: h.ToFloat(nil)})
			}
			if float {
				rec, cust := enc.FloatHistogramSamples(floats, nil)
				if len(rec) > 0 {
					bt.Records = append(bt.Records, hex.EncodeToString(rec))
				}
				if len(cust) > 0 {
					bt.Records = append(bt.Records, hex.EncodeToString(enc.CustomBucketsFloatHistogramSamples(cust, nil)))
				}
			} else {
				rec, cust := enc.HistogramSamples(ints, nil)
				if len(rec) > 0 {
					bt.Records = append(bt.Records, hex.EncodeToString(rec))
				}
				if len(cust) > 0 {
					bt.Records = append(bt.Records, hex.EncodeToString(enc.CustomBucketsHistogramSamples(cust, nil)))
				}
			}
			out = append(out, bt)
		}
	}
	e := json.NewEncoder(os.Stdout)
	e.SetIndent("", " ")
	if err := e.Encode(map[string]any{"source": "github.com/prometheus/prometheus@v0.307.3 tsdb/record", "batches": out}); err != nil {
		panic(err)
	}
}
