// Command histogram_chunks writes the histogram chunk vectors of
// receiver-core/src/test/resources/chunk/prometheus-histogram-chunks.json: each scenario's samples (most taken from
// the inputs of Prometheus' tsdb/chunkenc histogram tests) appended by Prometheus' own chunkenc appenders the way
// its head does, and the bytes of every chunk that came out. jreceive's HistogramChunkVectorsTest appends the same
// samples with its appenders and must produce the same bytes.
//
// Run from a copy of the Prometheus module (tools/peers.sh builds Prometheus 3.7.3 = module v0.307.3 the same way):
//
//	dir=$(go mod download -json github.com/prometheus/prometheus@v0.307.3 | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
//	cp -r "$dir" /tmp/prom && chmod -R u+w /tmp/prom && mkdir /tmp/prom/cmd/golden
//	cp tools/golden/histogram_chunks.go /tmp/prom/cmd/golden/main.go
//	(cd /tmp/prom && go run ./cmd/golden) > receiver-core/src/test/resources/chunk/prometheus-histogram-chunks.json
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

type step struct {
	T    int64
	H    *histogram.Histogram
	Prev bool // cut a new chunk before this sample (as the head does for size or time) and pass the old appender
}

type jsonHist struct {
	Hint      int        `json:"hint"`
	Schema    int32      `json:"schema"`
	ZT        string     `json:"zeroThresholdBits"`
	ZC        string     `json:"zeroCount"`
	Count     string     `json:"count"`
	Sum       string     `json:"sumBits"`
	PSpans    [][2]int64 `json:"positiveSpans"`
	PBuckets  []string   `json:"positiveBuckets"`
	NSpans    [][2]int64 `json:"negativeSpans"`
	NBuckets  []string   `json:"negativeBuckets"`
	CustomVal []string   `json:"customValues"`
}

type jsonStep struct {
	T    int64    `json:"t"`
	Prev bool     `json:"prev"`
	H    jsonHist `json:"h"`
}

type scenario struct {
	Name   string     `json:"name"`
	Float  bool       `json:"float"`
	Steps  []jsonStep `json:"steps"`
	Chunks []string   `json:"chunks"`
}

func bits(f float64) string { return strconv.FormatUint(math.Float64bits(f), 10) }

func spans(s []histogram.Span) [][2]int64 {
	out := [][2]int64{}
	for _, x := range s {
		out = append(out, [2]int64{int64(x.Offset), int64(x.Length)})
	}
	return out
}

func fbits(v []float64) []string {
	out := []string{}
	for _, x := range v {
		out = append(out, bits(x))
	}
	return out
}

func toJSON(h *histogram.Histogram, float bool) jsonHist {
	j := jsonHist{Hint: int(h.CounterResetHint), Schema: h.Schema, ZT: bits(h.ZeroThreshold), Sum: bits(h.Sum),
		PSpans: spans(h.PositiveSpans), NSpans: spans(h.NegativeSpans), CustomVal: fbits(h.CustomValues)}
	if float {
		fh := h.ToFloat(nil)
		j.ZC, j.Count = bits(fh.ZeroCount), bits(fh.Count)
		j.PBuckets, j.NBuckets = fbits(fh.PositiveBuckets), fbits(fh.NegativeBuckets)
		return j
	}
	j.ZC, j.Count = strconv.FormatUint(h.ZeroCount, 10), strconv.FormatUint(h.Count, 10)
	j.PBuckets, j.NBuckets = []string{}, []string{}
	for _, b := range h.PositiveBuckets {
		j.PBuckets = append(j.PBuckets, strconv.FormatInt(b, 10))
	}
	for _, b := range h.NegativeBuckets {
		j.NBuckets = append(j.NBuckets, strconv.FormatInt(b, 10))
	}
	return j
}

// run appends like memSeries.appendHistogram: a returned chunk that is not a recode is a new head chunk.
func run(name string, float bool, steps []step) scenario {
	sc := scenario{Name: name, Float: float}
	var chunks []chunkenc.Chunk
	var cur chunkenc.Chunk
	var app chunkenc.Appender
	newChunk := func() {
		if float {
			cur = chunkenc.NewFloatHistogramChunk()
		} else {
			cur = chunkenc.NewHistogramChunk()
		}
		chunks = append(chunks, cur)
		a, err := cur.Appender()
		if err != nil {
			panic(err)
		}
		app = a
	}
	for i, s := range steps {
		sc.Steps = append(sc.Steps, jsonStep{T: s.T, Prev: s.Prev, H: toJSON(s.H, float)})
		var prev chunkenc.Appender
		if i == 0 || s.Prev {
			prev = app
			newChunk()
		}
		var c chunkenc.Chunk
		var recoded bool
		var err error
		h := s.H.Copy()
		if float {
			p, _ := prev.(*chunkenc.FloatHistogramAppender)
			c, recoded, app, err = app.AppendFloatHistogram(p, s.T, h.ToFloat(nil), false)
		} else {
			p, _ := prev.(*chunkenc.HistogramAppender)
			c, recoded, app, err = app.AppendHistogram(p, s.T, h, false)
		}
		if err != nil {
			panic(err)
		}
		if c != nil {
			if recoded {
				chunks[len(chunks)-1] = c
			} else {
				chunks = append(chunks, c)
			}
			cur = c
		}
	}
	for _, c := range chunks {
		sc.Chunks = append(sc.Chunks, hex.EncodeToString(c.Bytes()))
	}
	return sc
}

func sameBuckets() []step {
	ts := int64(1234567890)
	h := &histogram.Histogram{Count: 15, ZeroCount: 2, Sum: 18.4, ZeroThreshold: 1e-100, Schema: 1,
		PositiveSpans:   []histogram.Span{{Offset: 0, Length: 2}, {Offset: 1, Length: 2}},
		PositiveBuckets: []int64{1, 1, -1, 0},
		NegativeSpans:   []histogram.Span{{Offset: 1, Length: 1}, {Offset: 2, Length: 3}},
		NegativeBuckets: []int64{2, 1, -1, -1}}
	out := []step{{T: ts, H: h}}
	h = h.Copy()
	h.Count, h.ZeroCount, h.Sum = 32, 3, 24.4
	h.PositiveBuckets = []int64{5, -2, 1, -2}
	h.NegativeBuckets = []int64{4, -1, 1, -1}
	out = append(out, step{T: ts + 16, H: h})
	h = h.Copy()
	h.Count, h.ZeroCount, h.Sum = 54, 5, 24.4
	h.PositiveBuckets = []int64{6, 1, -3, 6}
	h.NegativeBuckets = []int64{5, 1, -2, 3}
	return append(out, step{T: ts + 30, H: h})
}

func bucketChanges() []step {
	ts := int64(1234567890)
	h1 := &histogram.Histogram{Count: 27, ZeroCount: 2, Sum: 18.4, ZeroThreshold: 1e-125, Schema: 1,
		PositiveSpans: []histogram.Span{{Offset: 0, Length: 2}, {Offset: 2, Length: 1}, {Offset: 3, Length: 2},
			{Offset: 3, Length: 1}, {Offset: 1, Length: 1}},
		PositiveBuckets: []int64{6, -3, 0, -1, 2, 1, -4},
		NegativeSpans:   []histogram.Span{{Offset: 1, Length: 1}},
		NegativeBuckets: []int64{1}}
	h2 := h1.Copy()
	h2.PositiveSpans = []histogram.Span{{Offset: 0, Length: 3}, {Offset: 1, Length: 1}, {Offset: 1, Length: 4},
		{Offset: 3, Length: 3}}
	h2.NegativeSpans = []histogram.Span{{Offset: 0, Length: 2}}
	h2.Count, h2.ZeroCount, h2.Sum = 35, 3, 30
	h2.PositiveBuckets = []int64{7, -2, -4, 2, -2, -1, 2, 3, 0, -5, 1}
	h2.NegativeBuckets = []int64{2, -1}
	// A third sample without buckets 6, 7 and 15 that are in use, and with a new bucket 12: a counter reset.
	h3 := h2.Copy()
	h3.Count, h3.Sum = 36, 31
	h3.PositiveBuckets = []int64{8, -3, -4, 2, -1, 3, 0, -5, 2}
	h3.PositiveSpans = []histogram.Span{{Offset: 0, Length: 3}, {Offset: 1, Length: 1}, {Offset: 3, Length: 2},
		{Offset: 2, Length: 3}}
	return []step{{T: ts, H: h1}, {T: ts + 16, H: h2}, {T: ts + 30, H: h3}}
}

// backwardInserts: samples that lack buckets which are empty in the chunk, with and without new buckets.
func backwardInserts() []step {
	h1 := &histogram.Histogram{Count: 5, Sum: 1, Schema: 0, PositiveSpans: []histogram.Span{{Offset: 0, Length: 4}},
		PositiveBuckets: []int64{2, -2, 3, -3},
		NegativeSpans:   []histogram.Span{{Offset: 2, Length: 2}}, NegativeBuckets: []int64{0, 1}}
	h2 := h1.Copy()
	h2.Count = 8
	h2.PositiveSpans = []histogram.Span{{Offset: 0, Length: 1}, {Offset: 1, Length: 1}, {Offset: 1, Length: 1}}
	h2.PositiveBuckets = []int64{3, 1, -3}
	h2.NegativeSpans, h2.NegativeBuckets = []histogram.Span{{Offset: 3, Length: 1}}, []int64{1}
	h3 := h2.Copy()
	h3.Count = 10
	h3.PositiveBuckets = []int64{4, 1, -4}
	return []step{{T: 0, H: h1}, {T: 60000, H: h2}, {T: 120000, H: h3}}
}

func eh() *histogram.Histogram {
	return &histogram.Histogram{Count: 5, ZeroCount: 2, Sum: 18.4, ZeroThreshold: 1e-125, Schema: 1,
		PositiveSpans: []histogram.Span{{Offset: 0, Length: 2}, {Offset: 2, Length: 1}, {Offset: 3, Length: 2},
			{Offset: 3, Length: 1}, {Offset: 1, Length: 1}},
		PositiveBuckets: []int64{6, -3, 0, -1, 2, 1, -4}}
}

func cbh() *histogram.Histogram {
	return &histogram.Histogram{Count: 24, Sum: 18.4, Schema: histogram.CustomBucketsSchema,
		PositiveSpans: []histogram.Span{{Offset: 0, Length: 2}, {Offset: 2, Length: 1}, {Offset: 3, Length: 2},
			{Offset: 3, Length: 1}, {Offset: 1, Length: 1}},
		PositiveBuckets: []int64{6, -3, 0, -1, 2, 1, -4},
		CustomValues:    []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}}
}

func counterResets() []step {
	h1 := eh()
	h2 := h1.Copy()
	h2.PositiveBuckets = []int64{6, -3, 0, -1, 2, 1, -5} // last bucket went down
	h3 := h2.Copy()
	h3.Count = 4 // count went down
	h4 := h3.Copy()
	h4.Count, h4.ZeroCount = 9, 1 // zero count went down
	h5 := h4.Copy()
	h5.Count, h5.ZeroCount = 10, 1
	h5.CounterResetHint = histogram.CounterReset // explicit hint
	h6 := h5.Copy()
	h6.CounterResetHint = histogram.UnknownCounterReset
	h6.Count, h6.PositiveSpans, h6.PositiveBuckets = 11, []histogram.Span{{Offset: 0, Length: 2}}, []int64{6, -3} // a used bucket disappeared
	return []step{{T: 1000, H: h1}, {T: 2000, H: h2}, {T: 3000, H: h3}, {T: 4000, H: h4}, {T: 5000, H: h5}, {T: 6000, H: h6}}
}

func schemaChanges() []step {
	h1 := eh()
	h2 := h1.Copy()
	h2.Schema = 2
	h3 := h2.Copy()
	h3.ZeroThreshold = math.Ldexp(0.5, -127) // Prometheus' default 2^-128: one byte
	h4 := h3.Copy()
	h4.ZeroThreshold = 0
	h5 := h4.Copy()
	h5.ZeroThreshold = 1024 // 2^10, the largest one-byte threshold
	return []step{{T: 10, H: h1}, {T: 20, H: h2}, {T: 30, H: h3}, {T: 40, H: h4}, {T: 50, H: h5}}
}

func customBuckets() []step {
	h1 := cbh()
	h2 := h1.Copy()
	h2.PositiveSpans = []histogram.Span{{Offset: 0, Length: 3}, {Offset: 1, Length: 1}, {Offset: 1, Length: 4},
		{Offset: 3, Length: 3}}
	h2.Count, h2.Sum = 30, 30
	h2.PositiveBuckets = []int64{7, -2, -4, 2, -2, -1, 2, 3, 0, -5, 1}
	h3 := h2.Copy()
	h3.CustomValues = append(append([]float64{}, h2.CustomValues...), 21) // bounds changed: a counter reset
	h4 := h3.Copy()
	h4.Count = 31
	// Bounds that need the full 64-bit form: negative, not a multiple of 0.001, above 33554.430; and the edge.
	h4.CustomValues = []float64{-1, 0.0005, 0.25, 2.5, 33554.43, 33554.431, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
		1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}
	h5 := h4.Copy()
	h5.Count, h5.Sum = 40, 33.5
	h5.PositiveBuckets = []int64{8, -2, -4, 2, -2, -1, 2, 3, 0, -5, 4}
	return []step{{T: 100, H: h1}, {T: 115, H: h2}, {T: 130, H: h3}, {T: 145, H: h4}, {T: 160, H: h5}}
}

func gauge() []step {
	h1 := eh()
	h1.CounterResetHint = histogram.GaugeType
	h2 := h1.Copy()
	h2.Count, h2.ZeroCount, h2.Sum = 3, 1, 2.5 // goes down: no reset for a gauge
	h2.PositiveBuckets = []int64{1, 0, 0, 0, 0, 0, -1}
	h3 := h2.Copy() // different buckets both ways: merged layout, recoded
	h3.PositiveSpans = []histogram.Span{{Offset: -2, Length: 2}, {Offset: 2, Length: 1}, {Offset: 9, Length: 1}}
	h3.PositiveBuckets = []int64{4, -1, 2, -3}
	h3.NegativeSpans = []histogram.Span{{Offset: 0, Length: 1}}
	h3.NegativeBuckets = []int64{7}
	h4 := h3.Copy()
	h4.Schema = 0 // schema change: new gauge chunk
	h5 := h4.Copy()
	h5.CounterResetHint = histogram.UnknownCounterReset // a counter after gauges: new chunk
	h5.Count = 100
	h6 := h5.Copy()
	h6.CounterResetHint = histogram.GaugeType // and back
	return []step{{T: 1, H: h1}, {T: 2, H: h2}, {T: 3, H: h3}, {T: 4, H: h4}, {T: 5, H: h5}, {T: 6, H: h6}}
}

func stale() []step {
	h1 := eh()
	h2 := h1.Copy()
	h2.Count, h2.PositiveBuckets = 6, []int64{7, -4, 0, -1, 2, 1, -4}
	s := &histogram.Histogram{Sum: math.Float64frombits(value.StaleNaN)}
	h3 := h2.Copy()
	return []step{{T: 1000, H: h1}, {T: 2000, H: h2}, {T: 3000, H: s}, {T: 4000, H: s.Copy()}, {T: 5000, H: h3},
		{T: 6000, H: s.Copy()}}
}

func prevAppender() []step {
	h1 := eh()
	h2 := h1.Copy()
	h2.Count = 6
	h3 := h2.Copy()
	h3.Count = 7
	h4 := h3.Copy()
	h4.Count = 3
	h5 := h4.Copy()
	h5.Schema = 3
	return []step{{T: 10, H: h1}, {T: 20, H: h2}, {T: 30, H: h3, Prev: true}, {T: 40, H: h4, Prev: true},
		{T: 50, H: h5, Prev: true}}
}

// long: a steady series with every varbit width of timestamps, counts and buckets, and large 64-bit values.
func long() []step {
	var out []step
	t := int64(-5000)
	steps := []int64{0, 1, 3, 5, 30, 200, 1000, 3000, 100000, 10000000, 1 << 30, 1 << 50}
	for i := int64(0); i < 130; i++ {
		t += 15000 + (i%7)*steps[i%int64(len(steps))]
		abs := make([]int64, 20)
		var total uint64
		for j := range abs {
			abs[j] = i*int64(j+1) + i*(steps[j%len(steps)]%100000)
			if j == 19 {
				abs[j] = i * (1 << 40)
			}
			total += uint64(abs[j])
		}
		deltas := make([]int64, len(abs))
		prev := int64(0)
		for j, a := range abs {
			deltas[j], prev = a-prev, a
		}
		zc := uint64(i)
		if i >= 100 {
			zc += 1 << 60
		}
		h := &histogram.Histogram{Count: total + zc, ZeroCount: zc, Sum: float64(i) * 1.37, Schema: 3,
			ZeroThreshold:   math.Ldexp(0.5, -127),
			PositiveSpans:   []histogram.Span{{Offset: -5, Length: 12}, {Offset: 3, Length: 8}},
			PositiveBuckets: deltas}
		out = append(out, step{T: t, H: h})
	}
	return out
}

func main() {
	var all []scenario
	cases := []struct {
		name  string
		steps func() []step
	}{
		{"same buckets", sameBuckets},
		{"bucket changes", bucketChanges},
		{"backward inserts", backwardInserts},
		{"counter resets", counterResets},
		{"schema and zero threshold changes", schemaChanges},
		{"custom buckets", customBuckets},
		{"gauge", gauge},
		{"stale markers", stale},
		{"previous chunk's appender", prevAppender},
		{"long", long},
	}
	for _, c := range cases {
		all = append(all, run(c.name, false, c.steps()))
		all = append(all, run(c.name, true, c.steps()))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(map[string]any{"source": "github.com/prometheus/prometheus@v0.307.3 tsdb/chunkenc", "scenarios": all}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
